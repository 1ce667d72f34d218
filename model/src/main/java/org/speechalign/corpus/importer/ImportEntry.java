package org.speechalign.corpus.importer;

import java.nio.file.Path;

/** One file to import: where it came from (for messages), its audio, transcript and speaker. */
public record ImportEntry(String id, String source, Path audio, String transcript, String speaker) {}
