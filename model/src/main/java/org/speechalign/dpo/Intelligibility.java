package org.speechalign.dpo;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.speechalign.codec.Codec;
import org.speechalign.corpus.Utterance;
import org.speechalign.eval.SpeechRecognizer;
import org.speechalign.eval.WordErrorRate;
import org.speechalign.lm.CodecLm;
import org.speechalign.lm.Examples;
import org.speechalign.lm.Generated;
import org.speechalign.lm.NarBatch;

/**
 * Rates self-play samples the way the evaluation does: the model's NAR completes each sample's
 * coarse tokens, the codec decodes them and the recogniser transcribes the speech; the error is
 * the number of word errors against the utterance's text. Only train-split utterances are rated
 * this way ({@link PreferenceDataset#build} refuses test utterances), so the test split the WER
 * is reported on is never optimised against.
 */
public final class Intelligibility implements SampleScorer {

    private final Codec codec;
    private final SpeechRecognizer asr;

    public Intelligibility(Codec codec, SpeechRecognizer asr) {
        this.codec = codec;
        this.asr = asr;
    }

    @Override
    public double[] errors(CodecLm model, Utterance u, List<Generated> samples) {
        List<String> phones = Examples.symbols(u.phones());
        List<NarBatch.Item> items = new ArrayList<>();
        int[] narIndex = new int[samples.size()]; // each sample's item in the NAR batch, -1 for an empty one
        for (int i = 0; i < samples.size(); i++) {
            Generated g = samples.get(i);
            narIndex[i] = g.frames() > 0 ? items.size() : -1;
            if (g.frames() > 0) items.add(Examples.nar(model.config(), u.speaker(), phones, g));
        }
        int[][][] fine = items.isEmpty() ? new int[0][][] : completeFine(model, items);
        double[] errors = new double[samples.size()];
        // decoding and recognition dominate and are independent per sample (codec2 and Vosk keep no shared state)
        IntStream.range(0, samples.size()).parallel().forEach(i -> {
            Generated g = samples.get(i);
            String heard = "";
            if (narIndex[i] >= 0) { // an empty sample says nothing: every reference word is an error
                int[][] f = fine[narIndex[i]];
                int[][] tokens = new int[1 + f.length][];
                tokens[0] = g.coarse();
                System.arraycopy(f, 0, tokens, 1, f.length);
                heard = asr.recognize(codec.decode(tokens), codec.sampleRate()).text();
            }
            errors[i] = WordErrorRate.score(u.text(), heard).errors();
        });
        return errors;
    }

    private static int[][][] completeFine(CodecLm model, List<NarBatch.Item> items) {
        try (NDManager m = model.manager().newSubManager()) {
            return model.nar().predict(new ParameterStore(m, false), NarBatch.of(m, model.config(), items));
        }
    }
}
