package org.speechalign.launcher;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ./speechalign bench}: benchmarks, one subcommand (in its own file) each. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Benchmarks (each measures its own baseline in the same run).",
        subcommands = {BenchIngestCommand.class, BenchDpoCommand.class, BenchGenerateCommand.class, BenchSwapCommand.class, BenchSynthCommand.class, BenchPairingCommand.class})
public final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
