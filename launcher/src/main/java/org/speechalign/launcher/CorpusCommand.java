package org.speechalign.launcher;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ./speechalign corpus}: golden corpus commands. */
@Command(name = "corpus", mixinStandardHelpOptions = true, description = "Golden corpus: build, import.",
        subcommands = {CorpusImportCommand.class})
public final class CorpusCommand implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
