package org.speechalign.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.speechalign.audio.Resampler;
import org.speechalign.audio.Wav;
import org.speechalign.codec.Codec2Codec;

/** Speaker similarity and MCD on flite voices through the codec2 round trip (no ASR: fast). */
class SpeakerAndMcdTest {
    static final String[] VOICES = {"slt", "rms", "awb", "kal16"};
    static final String[] SENTENCES = {
        "A rolling stone gathers no moss.",
        "She sells sea shells by the sea shore.",
        "The early bird catches the worm, but the second mouse gets the cheese.",
        "Never put off until tomorrow what you can do today.",
        "All that glitters is not gold.",
        "He who laughs last laughs longest.",
        "Time flies like an arrow; fruit flies like a banana.",
        "Every cloud has a silver lining somewhere over the hills.",
        "Where there is smoke there is usually a fire.",
        "Please call Stella and ask her to bring these things with her from the store.",
    };
    static final int TRAIN = 7;
    static final Codec2Codec CODEC = new Codec2Codec();
    static Map<String, List<short[]>> speech = new HashMap<>();

    @BeforeAll
    static void synthesise() {
        for (String v : VOICES) {
            List<short[]> list = new ArrayList<>();
            for (String s : SENTENCES) {
                Wav.Audio a = Flite.say(v, s);
                short[] at8k = Resampler.resample(a.samples(), a.sampleRate(), CODEC.sampleRate());
                list.add(CODEC.decode(CODEC.encode(at8k)));
            }
            speech.put(v, list);
        }
    }

    @Test
    void speakerModelTrainedOnSomeSentencesRecognisesSpeakersOnOthers() {
        Map<String, List<double[]>> train = new HashMap<>(), held = new HashMap<>();
        for (String v : VOICES) {
            List<short[]> l = speech.get(v);
            train.put(v, l.subList(0, TRAIN).stream().map(p -> SpeakerModel.statistics(p, 8000)).toList());
            held.put(v, l.subList(TRAIN, l.size()).stream().map(p -> SpeakerModel.statistics(p, 8000)).toList());
        }
        SpeakerModel m = SpeakerModel.train(train);
        assertEquals(1.0, m.identificationAccuracy(held), 1e-9);
        double same = 0, other = 0;
        int ns = 0, no = 0;
        for (String v : VOICES) {
            for (double[] x : held.get(v)) {
                for (String w : VOICES) {
                    double s = m.similarity(x, w);
                    assertTrue(s >= -1 - 1e-9 && s <= 1 + 1e-9);
                    if (v.equals(w)) { same += s; ns++; } else { other += s; no++; }
                }
            }
        }
        same /= ns;
        other /= no;
        System.out.printf("held-out speaker similarity: same %.3f, other %.3f%n", same, other);
        assertTrue(same > 0.5 && other < 0.2, "same " + same + " other " + other);
    }

    @Test
    void mcdIsZeroForIdenticalSpeechAndLargerAcrossSpeakersThanThroughTheCodec() {
        Wav.Audio a = Flite.say("slt", SENTENCES[1]);
        short[] original = Resampler.resample(a.samples(), a.sampleRate(), 8000);
        short[] roundTrip = speech.get("slt").get(1);
        short[] otherSpeaker = speech.get("rms").get(1);
        assertEquals(0.0, MelCepstralDistortion.mcd(roundTrip, roundTrip, 8000), 1e-9);
        double codec = MelCepstralDistortion.mcd(roundTrip, original, 8000);
        double cross = MelCepstralDistortion.mcd(otherSpeaker, roundTrip, 8000);
        double otherText = MelCepstralDistortion.mcd(speech.get("slt").get(2), roundTrip, 8000);
        System.out.printf("MCD codec round trip %.2f dB, other speaker %.2f dB, other text %.2f dB%n", codec, cross, otherText);
        assertTrue(codec > 0 && codec < cross, "codec " + codec + " cross " + cross);
        assertTrue(codec < otherText);
    }
}
