package org.speechalign.corpus;

/** One sentence of the corpus: a stable id (source prefix + line number, e.g. {@code fm0042}) and its text. */
public record Sentence(String id, String text) {
}
