package org.speechalign.launcher;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.speechalign.codec.Codec2Codec;
import org.speechalign.corpus.CorpusBuilder;
import org.speechalign.corpus.CorpusFile;
import org.speechalign.corpus.Flite;
import org.speechalign.corpus.Sentence;
import org.speechalign.corpus.SentenceList;
import org.speechalign.corpus.SplitRule;
import org.speechalign.corpus.Utterance;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./speechalign corpus build}: the built-in golden corpus from the committed sentence lists. */
@Command(
        name = "build",
        mixinStandardHelpOptions = true,
        description = {
            "Synthesises every sentence of corpus/sentences/ with each flite voice, encodes it with codec2 3200",
            "and writes golden.jsonl.gz + MANIFEST.json (tokens and phone durations, not audio)."
        })
public final class CorpusBuildCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--out", description = "output folder (default: ${DEFAULT-VALUE})", defaultValue = "corpus/builtin-v2")
    Path out;

    @Option(names = "--voices", split = ",", description = "flite voices, comma-separated (default: slt,rms,kal16)")
    List<String> voices = new ArrayList<>(Flite.DEFAULT_VOICES);

    @Option(names = "--limit", description = "only the first N sentences of the lists (0 = all; default: ${DEFAULT-VALUE})", defaultValue = "0")
    int limit;

    @Option(names = "--sentences", description = "folder of the sentence lists (default: ${DEFAULT-VALUE})", defaultValue = "corpus/sentences")
    Path sentencesDir;

    @Option(names = "--corpus-version", description = "corpus version recorded in every utterance (default: ${DEFAULT-VALUE})", defaultValue = "builtin-v2")
    String corpusVersion;

    @Option(names = "--threads", description = "worker threads, at most 2 (default: ${DEFAULT-VALUE})", defaultValue = "2")
    int threads;

    @Override
    public Integer call() throws IOException {
        if (limit < 0) throw new UserFacingException("--limit must be 0 (all) or positive");
        long start = System.nanoTime();
        SentenceList list;
        try {
            list = SentenceList.load(sentencesDir);
        } catch (IOException e) {
            throw new UserFacingException("cannot read the sentence lists: " + e.getMessage(), e);
        }
        List<Sentence> sentences = limit > 0 && limit < list.sentences().size() ? list.sentences().subList(0, limit) : list.sentences();
        Flite flite = new Flite();
        try {
            flite.requireVoices(voices);
        } catch (IllegalArgumentException e) {
            throw new UserFacingException(e.getMessage(), e);
        }
        Codec2Codec codec = new Codec2Codec();
        CorpusBuilder builder = new CorpusBuilder(flite, codec, corpusVersion);
        int total = sentences.size() * voices.size();
        var err = spec.commandLine().getErr();
        err.printf("speechalign: building %s: %d sentences x %d voices (%s) = %d utterances -> %s%n",
                corpusVersion, sentences.size(), voices.size(), String.join(",", voices), total, out);
        List<Utterance> utterances;
        try (ProgressBar bar = new ProgressBarBuilder().setTaskName("corpus").setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).showSpeed()
                .setConsumer(new ConsoleProgressBarConsumer(System.err)).build()) {
            utterances = builder.build(sentences, voices, threads, u -> bar.step());
        } catch (IllegalStateException e) {
            throw new UserFacingException("corpus build failed: " + e.getMessage(), e);
        }

        ObjectMapper json = new ObjectMapper();
        ObjectNode provenance = json.createObjectNode();
        List<String> args = spec.commandLine().getParseResult().originalArgs();
        provenance.put("build_command", "./speechalign " + String.join(" ", args));
        provenance.put("flite_version", flite.version());
        ArrayNode v = provenance.putArray("voices");
        voices.forEach(v::add);
        ObjectNode s = provenance.putObject("sentences");
        s.put("folder", "corpus/sentences");
        s.put("sha256", list.sha256());
        s.put("used", sentences.size());
        s.put("limit", limit);
        ArrayNode files = s.putArray("files");
        for (SentenceList.FileInfo f : list.files()) {
            files.addObject().put("file", f.file()).put("sha256", f.sha256()).put("sentences", f.sentences());
        }
        provenance.put("split_rule", SplitRule.DESCRIPTION);
        provenance.put("audio", "flite 16 kHz speech, windowed-sinc resampled to 8 kHz, codec2 3200 (20 ms frames)");
        provenance.put("phone_durations", "flite -psdur END times x 50 frames/s, cumulative ends rounded, clamped to the codec frames;"
                + " phones are t2p's (stress digits removed) and checked equal to -psdur's for every utterance");
        ObjectNode manifest = CorpusFile.write(out, corpusVersion, codec, utterances, provenance);
        CorpusFile.read(out); // verifies the checksum and every record
        double seconds = (System.nanoTime() - start) / 1e9;
        var stdout = spec.commandLine().getOut();
        stdout.printf("wrote %s: %d utterances (%s), %.2f h of speech, %d bytes, sha256 %s, in %.0f s%n",
                out.resolve(CorpusFile.DATA_FILE), manifest.get("utterances").asInt(), splits(manifest),
                manifest.get("hours").asDouble(), manifest.get("data_bytes").asLong(), manifest.get("data_sha256").asText(), seconds);
        stdout.flush();
        return 0;
    }

    private static String splits(ObjectNode manifest) {
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, com.fasterxml.jackson.databind.JsonNode> e : manifest.get("counts").get("split").properties()) {
            parts.add(e.getKey() + " " + e.getValue().asInt());
        }
        return String.join(", ", parts);
    }
}
