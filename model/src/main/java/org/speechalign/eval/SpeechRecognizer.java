package org.speechalign.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.speechalign.audio.Resampler;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.vosk.LibVosk;
import org.vosk.LogLevel;
import org.vosk.Model;
import org.vosk.Recognizer;

/**
 * Offline speech recognition with Vosk's small English model. One {@link Model} is loaded and
 * reused; each call gets its own recogniser. Input PCM of any rate is resampled to the model's
 * 16 kHz first (codec speech is 8 kHz).
 *
 * <p>Calls may come from several threads and run side by side. Kaldi inside Vosk dithers every
 * feature window by default (Gaussian noise of standard deviation 1, in 16-bit sample units, so that
 * silent or band-limited audio has no log of zero) and draws that noise from libc's process-wide
 * rand(): the same audio was heard differently depending on what was recognised before or alongside
 * it (8 recognitions of one utterance on 2 threads: up to 5 different transcripts). Here Kaldi's
 * dither is off ({@link VoskModels#NO_DITHER}) and the same amount of noise is added to the audio
 * from a generator of each call's own, seeded alike, so a recognition depends on its audio alone.
 * (Without any dither, codec speech, which has nothing above 4 kHz, was heard worse: WER 87.1 against
 * 84.9 % on one model's 162 test utterances.)
 */
public final class SpeechRecognizer implements AutoCloseable {

    /** The rate the model was trained at; every input is resampled to it. */
    public static final int MODEL_RATE = 16000;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A recognised word with its start and end in seconds and the recogniser's confidence. */
    public record Word(String word, double start, double end, double confidence) {}

    /** What was recognised: the words joined by spaces, and each word with its timing. */
    public record Transcript(String text, List<Word> words) {}

    /** Standard deviation of the noise added to every sample, in 16-bit units: Kaldi's default dither. */
    static final double DITHER = 1.0;
    private static final long DITHER_SEED = 1;

    private final Model model;

    private SpeechRecognizer(Model model) {
        this.model = model;
    }

    /** Loads the model unpacked under {@code cacheRoot} (unpacking it once if needed). */
    public static SpeechRecognizer open(Path cacheRoot) {
        Path dir = VoskModels.ensureUnpacked(cacheRoot);
        LibVosk.setLogLevel(LogLevel.WARNINGS);
        try {
            return new SpeechRecognizer(new Model(dir.toString()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the Vosk model in " + dir, e);
        }
    }

    /** Loads the model from the default cache ({@code $SPEECHALIGN_HOME/cache}). */
    public static SpeechRecognizer openDefault() {
        return open(EvalHome.cacheDir());
    }

    public Transcript recognize(short[] pcm, int sampleRate) {
        short[] audio = Resampler.resample(pcm, sampleRate, MODEL_RATE);
        List<Word> words = new ArrayList<>();
        recognizeInto(audio, words);
        StringBuilder text = new StringBuilder();
        for (Word w : words) text.append(text.length() == 0 ? "" : " ").append(w.word());
        return new Transcript(text.toString(), List.copyOf(words));
    }

    /** The audio as Vosk's float samples (16-bit scale) with the dither Kaldi would add, from a seeded generator. */
    static float[] dithered(short[] audio) {
        SplittableRandom noise = new SplittableRandom(DITHER_SEED);
        float[] out = new float[audio.length];
        for (int i = 0; i < audio.length; i++) out[i] = (float) (audio[i] + DITHER * noise.nextGaussian());
        return out;
    }

    private void recognizeInto(short[] pcm, List<Word> words) {
        float[] audio = dithered(pcm);
        try (Recognizer rec = new Recognizer(model, MODEL_RATE)) {
            rec.setWords(true);
            int chunk = MODEL_RATE / 4;
            float[] buf = new float[chunk];
            for (int off = 0; off < audio.length; off += chunk) {
                int len = Math.min(chunk, audio.length - off);
                System.arraycopy(audio, off, buf, 0, len);
                if (rec.acceptWaveForm(buf, len)) collect(rec.getResult(), words);
            }
            collect(rec.getFinalResult(), words);
        } catch (IOException e) {
            throw new UncheckedIOException("Vosk recogniser failed", e);
        }
    }

    private static void collect(String json, List<Word> out) {
        try {
            JsonNode node = JSON.readTree(json);
            for (JsonNode w : node.path("result")) {
                out.add(new Word(w.path("word").asText(), w.path("start").asDouble(),
                        w.path("end").asDouble(), w.path("conf").asDouble(1.0)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable Vosk result: " + json, e);
        }
    }

    @Override
    public void close() {
        model.close();
    }
}
