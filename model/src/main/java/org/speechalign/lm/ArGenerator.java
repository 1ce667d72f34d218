package org.speechalign.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Batched generation with the AR model. All rows advance one step together (each row attends only
 * to its own past, so rows of different lengths need no padding); a row that has said its last
 * phone is finished and its later steps are ignored. Each row samples from its own random stream
 * seeded by its request, so a request gives the same tokens alone or in any batch.
 *
 * <p>With the KV cache each step feeds only the new token; without it every step recomputes the
 * whole prefix (the reference the cache is tested against, and the bench's baseline).
 */
public final class ArGenerator {

    private final ArModel model;
    private final LmConfig c;

    public ArGenerator(ArModel model) {
        this.model = model;
        this.c = model.config();
    }

    public List<Generated> generate(NDManager manager, List<GenerationRequest> requests, SamplingConfig sampling, boolean useCache) {
        return generate(manager, requests, sampling, useCache, null);
    }

    /** As above; {@code stepLogProbs}, if set, receives each step's head log-probabilities ({@code b x heads}). */
    List<Generated> generate(NDManager manager, List<GenerationRequest> requests, SamplingConfig sampling, boolean useCache,
            Consumer<float[]> stepLogProbs) {
        int b = requests.size();
        CoarseLayout k = c.coarse();
        int width = 2 + k.voicingLevels() + k.energyLevels() + k.pitchLevels();
        Row[] rows = new Row[b];
        int maxPhones = 0;
        for (int i = 0; i < b; i++) {
            rows[i] = new Row(requests.get(i), k);
            maxPhones = Math.max(maxPhones, rows[i].phones.length);
        }
        try (NDManager gen = manager.newSubManager(); KvCache cache = useCache ? new KvCache(gen, model.layerCount()) : null) {
            ParameterStore ps = new ParameterStore(gen, false);
            long[] ph = new long[b * maxPhones];
            float[] phm = new float[b * maxPhones];
            long[] spk = new long[b];
            for (int i = 0; i < b; i++) {
                spk[i] = c.speakerIndex(rows[i].request.speaker());
                for (int j = 0; j < rows[i].phones.length; j++) {
                    ph[i * maxPhones + j] = rows[i].phones[j];
                    phm[i * maxPhones + j] = 1f;
                }
            }
            NDArray encodedFlat = ArModel.flatten(model.encodePhones(ps, Ops.longs(gen, ph, b, maxPhones),
                    gen.create(phm).reshape(b, maxPhones), Ops.longs(gen, spk, b), false));
            List<long[]> history = new ArrayList<>();
            int maxSteps = 0;
            for (Row r : rows) maxSteps = Math.max(maxSteps, r.maxSteps(sampling));
            ArModel.StepTable table = model.stepTable(ps, encodedFlat, Ops.longs(gen, spk, b), maxSteps);
            long[] off = table.offsets();
            int fields = ArModel.FIELDS;
            for (int t = 0; t < maxSteps; t++) {
                long[] in = new long[b * fields]; // already offset into the stacked table
                for (int i = 0; i < b; i++) {
                    Row r = rows[i];
                    int o = i * fields;
                    in[o] = off[0] + r.prevKind;
                    in[o + 1] = off[1] + r.lastV;
                    in[o + 2] = off[2] + r.lastE;
                    in[o + 3] = off[3] + r.lastW;
                    in[o + 4] = off[4] + Math.min(r.pos, c.maxPosInPhone() - 1);
                    in[o + 5] = off[5] + (long) i * maxPhones + Math.min(r.phone, r.phones.length - 1);
                    in[o + 6] = off[6] + i;
                    in[o + 7] = off[7] + t;
                }
                history.add(in);
                float[] logp;
                try (NDManager step = gen.newSubManager()) {
                    int len = useCache ? 1 : history.size();
                    long[] flat = new long[b * len * fields];
                    for (int s = 0; s < len; s++) {
                        long[] h = history.get(useCache ? t : s);
                        for (int i = 0; i < b; i++) System.arraycopy(h, i * fields, flat, (i * len + s) * fields, fields);
                    }
                    NDArray emb = table.embed(Ops.longs(step, flat, b, len, fields));
                    NDArray h = model.decode(ps, emb, useCache ? null : Ops.causalMask(step, len), cache, false);
                    if (!useCache) {
                        h = h.get(":, -1:, :");
                    }
                    // one small array crosses to Java; the per-head log-softmax is done here (fewer native calls per step)
                    logp = model.headLogits(ps, h, false).toFloatArray();
                    logSoftmaxHeads(logp, b, width, k);
                }
                if (stepLogProbs != null) stepLogProbs.accept(logp);
                boolean all = true;
                for (int i = 0; i < b; i++) {
                    if (!rows[i].done) {
                        rows[i].advance(logp, i * width, sampling, k);
                    }
                    all &= rows[i].done;
                }
                if (all) break;
            }
        }
        List<Generated> out = new ArrayList<>(b);
        for (Row r : rows) out.add(r.result());
        return out;
    }

    static void logSoftmaxHeads(float[] x, int rows, int width, CoarseLayout k) {
        int[] sizes = {2, k.voicingLevels(), k.energyLevels(), k.pitchLevels()};
        for (int r = 0; r < rows; r++) {
            int o = r * width;
            for (int size : sizes) {
                double max = Double.NEGATIVE_INFINITY;
                for (int i = 0; i < size; i++) max = Math.max(max, x[o + i]);
                double sum = 0;
                for (int i = 0; i < size; i++) sum += Math.exp(x[o + i] - max);
                float lse = (float) (max + Math.log(sum));
                for (int i = 0; i < size; i++) x[o + i] -= lse;
                o += size;
            }
        }
    }

    /** Per-utterance decoding state. */
    private final class Row {
        final GenerationRequest request;
        final int[] phones;
        final int[] durations;
        final int[] forced; // the request's durations, or null: sampled
        final SplittableRandom random;
        final List<Integer> coarse = new ArrayList<>();
        int phone, pos, steps;
        int prevKind = ArSequence.BOS, lastV, lastE, lastW;
        boolean done;

        Row(GenerationRequest request, CoarseLayout k) {
            this.request = request;
            phones = request.phones().stream().mapToInt(c::phoneIndex).toArray();
            durations = new int[phones.length];
            forced = request.durations().isEmpty() ? null : request.durations().stream().mapToInt(Integer::intValue).toArray();
            random = new SplittableRandom(request.seed());
            lastV = k.voicingLevels();
            lastE = k.energyLevels();
            lastW = k.pitchLevels();
        }

        /** A frame per step and an ADVANCE per phone. */
        int maxSteps(SamplingConfig s) {
            return forced == null ? phones.length * (s.maxFramesPerPhone() + 1) : Arrays.stream(forced).sum() + phones.length;
        }

        void advance(float[] logp, int o, SamplingConfig s, CoarseLayout k) {
            steps++;
            int kind;
            if (forced != null) {
                kind = pos >= forced[phone] ? ArSequence.OUT_ADVANCE : ArSequence.OUT_FRAME;
            } else {
                kind = Sampler.sample(logp, o, 2, s, random);
                if (pos >= s.maxFramesPerPhone()) kind = ArSequence.OUT_ADVANCE;
            }
            if (kind == ArSequence.OUT_ADVANCE) {
                durations[phone] = pos;
                phone++;
                pos = 0;
                prevKind = ArSequence.ADVANCE;
                done = phone >= phones.length;
                return;
            }
            int v = Sampler.sample(logp, o + 2, k.voicingLevels(), s, random);
            int e = Sampler.sample(logp, o + 2 + k.voicingLevels(), k.energyLevels(), s, random);
            int w = Sampler.sample(logp, o + 2 + k.voicingLevels() + k.energyLevels(), k.pitchLevels(), s, random);
            coarse.add(k.join(v, e, w));
            lastV = v;
            lastE = e;
            lastW = w;
            prevKind = ArSequence.FRAME;
            pos++;
        }

        Generated result() {
            if (!done) durations[Math.min(phone, phones.length - 1)] = pos;
            return new Generated(durations.clone(), coarse.stream().mapToInt(Integer::intValue).toArray(), steps);
        }
    }
}
