package org.speechalign.lm;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** Run in a separate JVM by {@link CodecLmArchiveTest}: loads an archive and prints what it computes. */
public final class ArchiveProbe {
    public static void main(String[] args) {
        try (CodecLm lm = CodecLm.load(Path.of(args[0])); NDManager m = lm.manager().newSubManager()) {
            System.out.println(CodecLmArchiveTest.fingerprint(lm, m));
        }
    }
}
