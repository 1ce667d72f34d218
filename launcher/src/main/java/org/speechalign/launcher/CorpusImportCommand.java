package org.speechalign.launcher;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.speechalign.MissingDependencyException;
import org.speechalign.codec.Codec2Codec;
import org.speechalign.corpus.Split;
import org.speechalign.corpus.importer.CorpusImporter;
import org.speechalign.corpus.importer.ImportSources;
import org.speechalign.corpus.CorpusFile;
import org.speechalign.corpus.importer.Phonemizer;
import org.speechalign.eval.SpeechRecognizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./speechalign corpus import}: users' wav + transcript → golden utterances. */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = {"Imports your own recordings as golden utterances: resampled to the codec rate, encoded,",
            "phones aligned from the ASR's word timings and t2p's phones of each word.",
            "INPUT is a folder of x.wav + x.txt, or a manifest: TSV (audio<TAB>transcript[<TAB>speaker])",
            "or JSONL ({\"audio\":..., \"text\":..., \"speaker\":...}). A bad file is reported and skipped."})
public final class CorpusImportCommand implements Callable<Integer> {

    @Option(names = "--input", required = true, paramLabel = "DIR|MANIFEST", description = "Folder or manifest to import.")
    Path input;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Corpus folder to write (golden.jsonl.gz + MANIFEST.json).")
    Path out;

    @Option(names = "--speaker", defaultValue = "user", description = "Speaker of entries that do not name one (default ${DEFAULT-VALUE}).")
    String speaker;

    @Option(names = "--split", defaultValue = "train", description = "Split of the imported utterances (default ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--id-prefix", defaultValue = "import", description = "Prefix of utterance ids (default ${DEFAULT-VALUE}).")
    String idPrefix;

    @Option(names = "--corpus-version", description = "Corpus version to record (default: import-<content hash>).")
    String corpusVersion;

    @Override
    public Integer call() throws Exception {
        Split s;
        try {
            s = Split.fromWire(split);
        } catch (IllegalArgumentException e) {
            throw new UserFacingException("corpus import: unknown split '" + split + "' (train, dev or test)");
        }
        ImportSources.Listing listing;
        try {
            listing = ImportSources.list(input, speaker);
        } catch (java.io.IOException e) {
            throw new UserFacingException("corpus import: " + e.getMessage(), e);
        }
        CorpusImporter.Result r;
        try (SpeechRecognizer asr = SpeechRecognizer.openDefault()) {
            r = new CorpusImporter(new Codec2Codec(), asr, new Phonemizer())
                    .importAll(listing, s, idPrefix, corpusVersion, System.err::println);
        } catch (MissingDependencyException e) {
            throw new UserFacingException(e.getMessage(), e);
        }
        for (ImportSources.ImportError e : r.errors()) System.err.println("error: " + e.source() + ": " + e.message());
        if (r.utterances().isEmpty()) {
            throw new UserFacingException("corpus import: nothing imported from " + input + " (" + r.errors().size() + " errors)");
        }
        com.fasterxml.jackson.databind.node.ObjectNode provenance = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
        provenance.put("command", "corpus import");
        provenance.put("input", input.toAbsolutePath().toString());
        provenance.put("alignment", "Vosk word timings + t2p phones (org.speechalign.corpus.importer.PhoneAligner)");
        provenance.put("errors", r.errors().size());
        Codec2Codec codec = new Codec2Codec();
        CorpusFile.write(out, r.corpusVersion(), codec, r.utterances(), provenance);
        System.out.printf("imported %d utterances (%d errors) into %s, corpus version %s%n",
                r.utterances().size(), r.errors().size(), out, r.corpusVersion());
        return 0;
    }
}
