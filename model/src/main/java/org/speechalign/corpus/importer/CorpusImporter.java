package org.speechalign.corpus.importer;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.speechalign.audio.Resampler;
import org.speechalign.audio.Wav;
import org.speechalign.codec.Codec;
import org.speechalign.corpus.Phone;
import org.speechalign.corpus.Split;
import org.speechalign.corpus.Utterance;
import org.speechalign.eval.SpeechRecognizer;
import org.speechalign.eval.TextNormalizer;

/**
 * Imports users' recordings as golden utterances: read the wav (any PCM rate and width, mixed to
 * mono), recognise it for word timings, align phones ({@link PhoneAligner}), resample to the codec
 * rate and encode. A file that fails gets one clear error and the import goes on. The result is
 * written with {@link org.speechalign.corpus.CorpusFile}, the built-in corpus's format.
 */
public final class CorpusImporter {

    /** Why one entry could not be imported; the message is shown to the user. */
    public static final class ImportFailure extends Exception {
        public ImportFailure(String message) {
            super(message);
        }
    }

    /** What was imported and what was not. */
    public record Result(List<Utterance> utterances, List<ImportSources.ImportError> errors, String corpusVersion) {}

    private final Codec codec;
    private final SpeechRecognizer asr;
    private final PhoneAligner aligner;

    public CorpusImporter(Codec codec, SpeechRecognizer asr, Phonemizer phonemizer) {
        this.codec = codec;
        this.asr = asr;
        this.aligner = new PhoneAligner(phonemizer);
    }

    /**
     * Imports every entry of {@code listing}; {@code corpusVersion} null means one derived from the
     * content ({@code import-<sha256 prefix>}). {@code progress} receives one line per entry.
     */
    public Result importAll(ImportSources.Listing listing, Split split, String idPrefix, String corpusVersion,
                            Consumer<String> progress) {
        List<ImportSources.ImportError> errors = new ArrayList<>(listing.errors());
        List<Utterance> draft = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (ImportEntry e : listing.entries()) {
            String id = idPrefix + "-" + e.id().replaceAll("[^A-Za-z0-9._-]+", "_");
            try {
                if (!ids.add(id)) throw new ImportFailure("duplicate utterance id " + id);
                draft.add(importOne(e, id, split));
                progress.accept("imported " + e.source() + " as " + id);
            } catch (ImportFailure f) {
                errors.add(new ImportSources.ImportError(e.source(), f.getMessage()));
                progress.accept("skipped " + e.source() + ": " + f.getMessage());
            } catch (RuntimeException r) {
                if (r instanceof org.speechalign.MissingDependencyException) throw r;
                errors.add(new ImportSources.ImportError(e.source(), "failed: " + r));
                progress.accept("skipped " + e.source() + ": " + r);
            }
        }
        String version = corpusVersion != null ? corpusVersion : "import-" + digest(draft);
        List<Utterance> out = draft.stream().map(u -> new Utterance(u.utteranceId(), u.text(), u.speaker(), u.phones(),
                u.tokens(), u.codecName(), u.codecMode(), u.split(), version)).toList();
        return new Result(out, errors, version);
    }

    /** One entry → one utterance (corpus version left empty), or a failure with a message for the user. */
    public Utterance importOne(ImportEntry e, String id, Split split) throws ImportFailure {
        String text = e.transcript() == null ? "" : e.transcript().strip().replaceAll("\\s+", " ");
        if (text.isEmpty()) throw new ImportFailure("empty transcript");
        if (TextNormalizer.words(text).isEmpty()) throw new ImportFailure("the transcript has no words: \"" + text + "\"");
        if (e.speaker() == null || e.speaker().isBlank()) throw new ImportFailure("no speaker");
        Wav.Audio audio = readAudio(e.audio());
        if (audio.samples().length < audio.sampleRate() / 10) throw new ImportFailure("the audio is shorter than 0.1 s");
        SpeechRecognizer.Transcript heard = asr.recognize(audio.samples(), audio.sampleRate());
        short[] pcm = Resampler.resample(audio.samples(), audio.sampleRate(), codec.sampleRate());
        int[][] tokens = codec.encode(pcm);
        int frames = tokens.length == 0 ? 0 : tokens[0].length;
        if (frames == 0) throw new ImportFailure("the audio is too short for one codec frame");
        List<Phone> phones;
        try {
            phones = aligner.align(text, heard.words(), audio.seconds(), frames, codec.framesPerSecond());
        } catch (PhoneAligner.AlignmentException a) {
            throw new ImportFailure(a.getMessage());
        }
        return new Utterance(id, text, e.speaker(), phones, tokens, codec.name(), codec.mode(), split, "");
    }

    /** 16-bit PCM wav through the platform's reader; other PCM widths through javax.sound. */
    static Wav.Audio readAudio(Path file) throws ImportFailure {
        if (!Files.isRegularFile(file)) throw new ImportFailure("audio file not found: " + file);
        try {
            return Wav.read(file);
        } catch (IOException first) {
            try (InputStream raw = new BufferedInputStream(Files.newInputStream(file));
                 AudioInputStream in = AudioSystem.getAudioInputStream(raw)) {
                AudioFormat f = in.getFormat();
                int ch = Math.max(1, f.getChannels());
                AudioFormat target = new AudioFormat(f.getSampleRate(), 16, ch, true, false);
                byte[] bytes = AudioSystem.getAudioInputStream(target, in).readAllBytes();
                ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
                short[] s = new short[bytes.length / (2 * ch)];
                for (int i = 0; i < s.length; i++) {
                    int sum = 0;
                    for (int c = 0; c < ch; c++) sum += bb.getShort();
                    s[i] = (short) (sum / ch);
                }
                return new Wav.Audio(s, Math.round(f.getSampleRate()));
            } catch (Exception second) {
                String m = first.getMessage() == null ? first.toString() : first.getMessage();
                throw new ImportFailure("unreadable audio: " + m.replace(file.toString() + ": ", ""));
            }
        }
    }

    private static String digest(List<Utterance> utts) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Utterance u : utts) {
                md.update((u.utteranceId() + "\t" + u.text() + "\t" + u.speaker() + "\n").getBytes(StandardCharsets.UTF_8));
                for (int[] row : u.tokens()) for (int t : row) md.update(new byte[] {(byte) (t >>> 8), (byte) t});
            }
            return HexFormat.of().formatHex(md.digest()).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
