package org.speechalign.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.speechalign.corpus.CorpusFile;

/** Loads a corpus folder for commands: the given one, or the built-in corpus. */
final class CorpusFiles {
    static final Path BUILTIN = Path.of("corpus", "builtin-v2");

    private CorpusFiles() {}

    static CorpusFile.Corpus load(Path dir) {
        Path d = dir == null ? BUILTIN : dir;
        if (!Files.isDirectory(d)) {
            throw new UserFacingException("no corpus folder " + d.toAbsolutePath()
                    + (dir == null ? " (run from the repository root, or pass --corpus DIR)" : ""));
        }
        try {
            CorpusFile.Corpus c = CorpusFile.read(d);
            if (c.utterances().isEmpty()) throw new UserFacingException("the corpus " + d + " is empty");
            return c;
        } catch (IOException e) {
            throw new UserFacingException("cannot read the corpus " + d + ": " + e.getMessage(), e);
        }
    }
}
