package org.speechalign.launcher;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.speechalign.MissingDependencyException;
import org.speechalign.codec.Codec;
import org.speechalign.codec.Codec2Codec;
import org.speechalign.corpus.Split;
import org.speechalign.corpus.Utterance;
import org.speechalign.eval.Comparison;
import org.speechalign.eval.EvalHome;
import org.speechalign.eval.EvalReport;
import org.speechalign.eval.Evaluator;
import org.speechalign.eval.GoldenEvaluation;
import org.speechalign.eval.ReportTable;
import org.speechalign.eval.SpeechRecognizer;
import org.speechalign.eval.SpeechSystem;
import org.speechalign.eval.SpeechSystemProvider;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./speechalign eval}: WER, speaker similarity and MCD on held-out golden utterances. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Evaluates speech on held-out golden utterances, decoded through the codec:",
            "WER (Vosk, 95 % bootstrap interval), speaker similarity and mel-cepstral distortion.",
            "Golden-side results are cached per corpus version under $SPEECHALIGN_HOME/cache/eval."})
public final class EvalCommand implements Callable<Integer> {

    @Option(names = "--golden", description = "Evaluate the golden round trip (golden tokens decoded by the codec).")
    boolean golden;

    @Option(names = "--model", paramLabel = "M", description = "Evaluate model M (found through SpeechSystemProvider) beside golden.")
    String model;

    @Option(names = "--split", defaultValue = "test", description = "Split to evaluate on: train, dev or test (default ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--corpus", paramLabel = "DIR", description = "Corpus folder (default: the built-in corpus/builtin-v1).")
    Path corpus;

    @Option(names = "--limit", defaultValue = "0", description = "Only the first N utterances of the split (0: all).")
    int limit;

    @Option(names = "--threads", defaultValue = "1", description = "Utterances evaluated in parallel (Vosk takes about a core each).")
    int threads;

    @Option(names = "--refresh", description = "Recompute golden results even if cached.")
    boolean refresh;

    @Option(names = "--json", description = "Print JSON (with per-utterance results) instead of a table.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (!golden && model == null) throw new UserFacingException("eval: say what to evaluate: --golden and/or --model M");
        Split s;
        try {
            s = Split.fromWire(split);
        } catch (IllegalArgumentException e) {
            throw new UserFacingException("eval: unknown split '" + split + "' (train, dev or test)");
        }
        Codec codec;
        try {
            codec = new Codec2Codec();
        } catch (MissingDependencyException e) {
            throw new UserFacingException(e.getMessage(), e);
        }
        org.speechalign.corpus.CorpusFile.Corpus loaded = CorpusFiles.load(corpus);
        List<Utterance> utterances = loaded.utterances();
        String version = loaded.version();
        GoldenEvaluation ge = new GoldenEvaluation(EvalHome.cacheDir(), codec, version);
        SpeechRecognizer[] asr = new SpeechRecognizer[1];
        Supplier<SpeechRecognizer> asrOnce = () -> {
            if (asr[0] == null) asr[0] = SpeechRecognizer.openDefault();
            return asr[0];
        };
        try {
            List<Utterance> utts = GoldenEvaluation.splitOf(utterances, s, limit);
            if (utts.isEmpty()) throw new UserFacingException("eval: corpus " + version + " has no " + split + " utterances");
            EvalReport goldenReport = ge.golden(utterances, s, limit, asrOnce, threads, refresh, progress("golden", utts.size()));
            List<EvalReport> reports = new ArrayList<>(List.of(goldenReport));
            List<Comparison> comparisons = new ArrayList<>();
            if (model != null) {
                try (SpeechSystem system = openModel(model, codec)) {
                    Evaluator ev = ge.evaluator(utterances, asrOnce.get(), threads);
                    long start = System.nanoTime();
                    EvalReport m = ev.evaluate(system.name(), version, s.wireName(), utts, system::speak,
                            progress(system.name(), utts.size()));
                    m = m.withEvalSeconds((System.nanoTime() - start) / 1e9);
                    reports.add(m);
                    comparisons.add(Comparison.paired(m, goldenReport));
                }
            }
            if (json) {
                ObjectNode out = GoldenEvaluation.JSON.createObjectNode();
                out.set("golden", GoldenEvaluation.JSON.valueToTree(goldenReport));
                if (reports.size() > 1) out.set("model", GoldenEvaluation.JSON.valueToTree(reports.get(1)));
                if (!comparisons.isEmpty()) out.set("model_minus_golden", GoldenEvaluation.JSON.valueToTree(comparisons.get(0)));
                System.out.println(GoldenEvaluation.JSON.writeValueAsString(out));
            } else {
                System.out.print(ReportTable.format(reports, comparisons));
            }
            return 0;
        } finally {
            if (asr[0] != null) asr[0].close();
        }
    }

    private static java.util.function.Consumer<org.speechalign.eval.UtteranceResult> progress(String what, int total) {
        AtomicInteger done = new AtomicInteger();
        return r -> {
            int n = done.incrementAndGet();
            if (n % 10 == 0 || n == total) System.err.printf("eval %s: %d/%d utterances%n", what, n, total);
        };
    }

    private static SpeechSystem openModel(String reference, Codec codec) {
        for (SpeechSystemProvider p : ServiceLoader.load(SpeechSystemProvider.class)) {
            Optional<SpeechSystem> s = p.open(reference, codec);
            if (s.isPresent()) return s.get();
        }
        throw new UserFacingException("eval: no model named '" + reference + "' (no SpeechSystemProvider knows it yet)");
    }
}
