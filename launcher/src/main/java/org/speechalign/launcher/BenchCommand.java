package org.speechalign.launcher;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ./speechalign bench <what>}: the platform's benchmarks, each printing its figures (or JSON with --json). */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks: each measures a figure the README reports, with its baseline in the same run.",
        subcommands = {BenchPairingCommand.class})
public final class BenchCommand implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
