package org.speechalign.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where models live under {@code SPEECHALIGN_HOME} (default {@code .speechalign/}): archives in
 * {@code models/<sha256>.salm}, named references such as {@code models/base.ref} (one line: the
 * archive's file name), training runs in {@code runs/}.
 */
final class ModelHome {

    private ModelHome() {}

    static Path home() {
        String env = System.getenv("SPEECHALIGN_HOME");
        return Path.of(env == null || env.isBlank() ? ".speechalign" : env);
    }

    static Path models() {
        return home().resolve("models");
    }

    static Path runs() {
        return home().resolve("runs");
    }

    static void setReference(String name, Path archive) throws IOException {
        Files.createDirectories(models());
        Files.writeString(models().resolve(name + ".ref"), archive.getFileName().toString() + "\n");
    }

    /** A path to an archive, a sha256 (or its prefix) in the model store, or a reference name like {@code base}. */
    static Path resolve(String model) throws IOException {
        Path asPath = Path.of(model);
        if (model.endsWith(".salm") && Files.exists(asPath)) return asPath;
        Path ref = models().resolve(model + ".ref");
        if (Files.exists(ref)) return models().resolve(Files.readString(ref).trim());
        if (model.matches("[0-9a-f]{6,64}") && Files.isDirectory(models())) {
            try (var files = Files.list(models())) {
                var hits = files.filter(f -> f.getFileName().toString().startsWith(model) && f.toString().endsWith(".salm")).toList();
                if (hits.size() == 1) return hits.get(0);
            }
        }
        throw new UserFacingException("no model '" + model + "': not an archive path, a sha256 in " + models()
                + " or a reference (run ./speechalign pretrain to create 'base')");
    }

    /** Torch threads for this process unless the user set them (must run before the engine starts). */
    static void torchThreads(int threads) {
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        }
        if (System.getProperty("ai.djl.pytorch.num_interop_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
        System.setProperty("ai.djl.offline", "true");
    }
}
