package org.speechalign.launcher;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code ./speechalign}: dispatches to one subcommand per job. */
@Command(
        name = "speechalign",
        mixinStandardHelpOptions = true,
        version = "speechalign 0.1.0",
        description = "SpeechAlign platform: codec, corpus, evaluation, training and services.",
        subcommands = {
            CommandLine.HelpCommand.class,
            BenchCommand.class,
        })
public final class Main implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        int exit = new CommandLine(new Main())
                .setExecutionExceptionHandler(Main::oneLineError)
                .execute(args);
        System.exit(exit);
    }

    /** Expected failures (bad input, missing packages) print one line, not a stack trace. */
    private static int oneLineError(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        if (e instanceof UserFacingException) {
            cmd.getErr().println("speechalign: " + e.getMessage());
            return 2;
        }
        throw new RuntimeException(e);
    }
}
