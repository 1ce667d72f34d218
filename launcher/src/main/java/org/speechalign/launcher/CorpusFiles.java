package org.speechalign.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.speechalign.corpus.Utterance;
import org.speechalign.corpus.importer.JsonlCorpus;

/** Loads a corpus for commands: a given JSON-lines file, or the built-in corpus. */
final class CorpusFiles {
    private CorpusFiles() {}

    static List<Utterance> load(Path file) {
        if (file == null) {
            throw new UserFacingException("no corpus given: pass --corpus FILE (the built-in corpus is not in this build yet)");
        }
        if (!Files.isRegularFile(file)) throw new UserFacingException("no such corpus file: " + file);
        try {
            List<Utterance> u = JsonlCorpus.read(file);
            if (u.isEmpty()) throw new UserFacingException("the corpus " + file + " is empty");
            return u;
        } catch (IOException | RuntimeException e) {
            if (e instanceof UserFacingException ufe) throw ufe;
            throw new UserFacingException("cannot read the corpus " + file + ": " + e.getMessage(), e);
        }
    }
}
