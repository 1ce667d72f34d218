package org.speechalign.launcher;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ./speechalign corpus ...}: the golden corpus (build the built-in one; import users' own). */
@Command(
        name = "corpus",
        mixinStandardHelpOptions = true,
        description = "Golden corpus: build the built-in one from flite voices; import your own recordings.",
        subcommands = {
            CorpusBuildCommand.class,
            CorpusPublishCommand.class,
            CorpusImportCommand.class,
        })
public final class CorpusCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
