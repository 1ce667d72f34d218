package org.speechalign.synth;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import org.speechalign.codec.Codec;
import org.speechalign.contracts.PhoneFrames;
import org.speechalign.contracts.Synthesis;
import org.speechalign.lm.CodecLm;
import org.speechalign.lm.Examples;
import org.speechalign.lm.GenerationRequest;
import org.speechalign.lm.Generated;
import org.speechalign.lm.NarBatch;
import org.speechalign.lm.SamplingConfig;

/**
 * The synthesis pipeline on one model: phones → AR (coarse tokens and durations, sampled) → NAR
 * (fine codebooks) → codec tokens {@code [codebook][frame]}; audio is decoded on demand from the
 * tokens. At most {@code maxConcurrent} syntheses run at once (the machine's cores, not the
 * request count, bound throughput).
 */
final class Synthesizer {

    /** One request's parameters after validation. */
    record Request(String text, String speaker, List<String> phones, int samples, double temperature, long seed,
                   Synthesis.Origin origin, String utteranceId) {
    }

    private final Semaphore slots;
    private final SynthSettings settings;

    Synthesizer(SynthSettings settings) {
        this.settings = settings;
        this.slots = new Semaphore(Math.max(1, settings.maxConcurrent()), true);
    }

    SamplingConfig sampling(double temperature) {
        return new SamplingConfig(temperature, settings.topK(), settings.topP(), settings.maxFramesPerPhone());
    }

    /** Runs the requests (batched through the AR and NAR together) on the leased model. */
    List<Synthesis> synthesize(ServingModel.Loaded model, List<Request> requests) throws InterruptedException {
        slots.acquire();
        try {
            return run(model, requests);
        } finally {
            slots.release();
        }
    }

    private List<Synthesis> run(ServingModel.Loaded model, List<Request> requests) {
        CodecLm lm = model.lm;
        List<GenerationRequest> gen = new ArrayList<>();
        List<Request> owner = new ArrayList<>();
        for (Request r : requests) {
            for (int i = 0; i < r.samples(); i++) {
                gen.add(new GenerationRequest(r.speaker(), r.phones(), r.seed() + i));
                owner.add(r);
            }
        }
        // requests of one call share a temperature (the service batches per request)
        SamplingConfig sampling = sampling(requests.get(0).temperature());
        List<Synthesis> out = new ArrayList<>();
        try (NDManager m = lm.manager().newSubManager()) {
            List<Generated> g = lm.generator().generate(m, gen, sampling, true);
            List<NarBatch.Item> items = new ArrayList<>();
            for (int j = 0; j < gen.size(); j++) items.add(Examples.nar(lm.config(), gen.get(j).speaker(), gen.get(j).phones(), g.get(j)));
            int[][][] fine = lm.nar().predict(new ParameterStore(m, false), NarBatch.of(m, lm.config(), items));
            Instant now = Instant.now();
            for (int j = 0; j < gen.size(); j++) {
                Request r = owner.get(j);
                Generated gj = g.get(j);
                int[][] tokens = new int[1 + fine[j].length][];
                tokens[0] = gj.coarse();
                System.arraycopy(fine[j], 0, tokens, 1, fine[j].length);
                List<PhoneFrames> phones = new ArrayList<>();
                for (int p = 0; p < r.phones().size(); p++) phones.add(new PhoneFrames(r.phones().get(p), gj.durations()[p]));
                out.add(new Synthesis(UUID.randomUUID().toString(), r.origin(), r.utteranceId(), r.text(), r.speaker(), phones, tokens,
                        model.version, new Synthesis.Sampling(r.temperature(), settings.topK() == 0 ? null : settings.topK(),
                        settings.topP(), gen.get(j).seed()), now));
            }
        }
        return out;
    }

    /** 16-bit PCM of the tokens through the codec (8 kHz for codec2 3200). */
    static short[] audio(Codec codec, int[][] tokens) {
        return codec.decode(tokens);
    }
}
