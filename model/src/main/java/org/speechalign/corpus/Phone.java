package org.speechalign.corpus;

/** One phone of an utterance and how many codec frames it lasts. */
public record Phone(String symbol, int frames) {
    public Phone {
        if (symbol == null || symbol.isBlank()) throw new IllegalArgumentException("phone symbol is empty");
        if (frames < 0) throw new IllegalArgumentException("phone " + symbol + " has negative duration " + frames);
    }
}
