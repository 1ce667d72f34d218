package org.speechalign.corpus;

/** Which part of the corpus an utterance belongs to. Test utterances are never trained on. */
public enum Split {
    TRAIN, DEV, TEST;

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Split fromWire(String value) {
        return valueOf(value.toUpperCase(java.util.Locale.ROOT));
    }
}
