package org.speechalign.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.speechalign.audio.Resampler;
import java.util.ArrayList;
import java.util.List;
import org.vosk.LibVosk;
import org.vosk.LogLevel;
import org.vosk.Model;
import org.vosk.Recognizer;

/**
 * Offline speech recognition with Vosk's small English model. One {@link Model} is loaded and
 * reused; each call gets its own recogniser. Input PCM of any rate is resampled to the model's
 * 16 kHz first (codec speech is 8 kHz).
 *
 * <p>Calls may come from several threads and run side by side. The model is unpacked with Kaldi's
 * feature dither off ({@link VoskModels#NO_DITHER}): with it, every feature window got noise from
 * libc's process-wide rand(), so the same audio was heard differently depending on what was
 * recognised before or alongside it (8 recognitions of one utterance on 2 threads: up to 5
 * different transcripts; one after another, too).
 */
public final class SpeechRecognizer implements AutoCloseable {

    /** The rate the model was trained at; every input is resampled to it. */
    public static final int MODEL_RATE = 16000;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A recognised word with its start and end in seconds and the recogniser's confidence. */
    public record Word(String word, double start, double end, double confidence) {}

    /** What was recognised: the words joined by spaces, and each word with its timing. */
    public record Transcript(String text, List<Word> words) {}

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

    private void recognizeInto(short[] audio, List<Word> words) {
        try (Recognizer rec = new Recognizer(model, MODEL_RATE)) {
            rec.setWords(true);
            int chunk = MODEL_RATE / 4;
            short[] buf = new short[chunk];
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
