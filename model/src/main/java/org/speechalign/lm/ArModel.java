package org.speechalign.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;

/**
 * The autoregressive model: writes the coarse codebook phone by phone (see {@link ArSequence}).
 *
 * <p>A small bidirectional encoder reads the phones (plus speaker); a causal decoder reads the
 * tokens written so far, each step also seeing the encoded phone it is speaking and its position in
 * that phone. Four heads factorise the next token: kind (frame or ADVANCE) and, for a frame, its
 * voicing, energy and pitch: {@code log p(frame) = log p(kind=frame) + log p(v) + log p(e) + log p(w)}.
 */
public final class ArModel extends LmBlock {

    private final LmConfig c;
    private final Table phoneTable, speakerTable, kindTable, vTable, eTable, wTable, posTable;
    private final List<TransformerLayer> encoder = new ArrayList<>();
    private final List<TransformerLayer> decoder = new ArrayList<>();
    private final LayerNorm lnEncoder, lnOut;
    private final Linear head;

    public ArModel(LmConfig config) {
        c = config;
        int d = c.dModel();
        CoarseLayout k = c.coarse();
        phoneTable = addChildBlock("phone", new Table(c.phoneVocab(), d));
        speakerTable = addChildBlock("speaker", new Table(c.speakerVocab(), d));
        kindTable = addChildBlock("kind", new Table(3, d));
        vTable = addChildBlock("voicing", new Table(k.voicingLevels() + 1, d));
        eTable = addChildBlock("energy", new Table(k.energyLevels() + 1, d));
        wTable = addChildBlock("pitch", new Table(k.pitchLevels() + 1, d));
        posTable = addChildBlock("pos_in_phone", new Table(c.maxPosInPhone(), d));
        for (int i = 0; i < c.encoderLayers(); i++) {
            encoder.add(addChildBlock("enc" + i, new TransformerLayer(d, c.heads(), c.ffnMultiplier(), c.dropout())));
        }
        lnEncoder = addChildBlock("ln_enc", LayerNorm.builder().axis(2).build());
        for (int i = 0; i < c.arLayers(); i++) {
            decoder.add(addChildBlock("dec" + i, new TransformerLayer(d, c.heads(), c.ffnMultiplier(), c.dropout())));
        }
        lnOut = addChildBlock("ln_out", LayerNorm.builder().axis(2).build());
        head = addChildBlock("head", Linear.builder().setUnits(2L + k.voicingLevels() + k.energyLevels() + k.pitchLevels()).build());
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape shape = new Shape(1, 1, c.dModel());
        getChildren().values().forEach(b -> b.initialize(manager, dataType, shape));
    }

    public LmConfig config() {
        return c;
    }

    int layerCount() {
        return decoder.size();
    }

    /** Encodes the phones: {@code (b, n, d)}. */
    NDArray encodePhones(ParameterStore ps, NDArray phones, NDArray phoneMask, NDArray speakers, boolean training) {
        long n = phones.getShape().get(1);
        NDArray x = phoneTable.forward(ps, phones, training)
                .add(speakerTable.forward(ps, speakers, training).expandDims(1))
                .add(Ops.sinusoid(phones.getManager(), 0, (int) n, c.dModel()));
        NDArray mask = Ops.keyPaddingMask(phoneMask);
        for (TransformerLayer layer : encoder) {
            x = layer.forward(ps, x, mask, null, training);
        }
        return lnEncoder.forward(ps, new NDList(x), training).singletonOrThrow();
    }

    /** {@code (b, n, d)} to {@code (b * n, d)}: the table {@code phonePointer} indexes. */
    static NDArray flatten(NDArray encoded) {
        Shape es = encoded.getShape();
        return encoded.reshape(es.get(0) * es.get(1), es.get(2));
    }

    /** Input vectors of decoder steps {@code start..start+t-1}: {@code (b, t, d)}. */
    NDArray embedSteps(ParameterStore ps, NDArray encodedFlat, NDArray speakers, NDArray prevKind, NDArray lastV, NDArray lastE,
            NDArray lastW, NDArray phonePointer, NDArray posInPhone, long start, boolean training) {
        NDArray x = kindTable.forward(ps, prevKind, training)
                .add(vTable.forward(ps, lastV, training))
                .add(eTable.forward(ps, lastE, training))
                .add(wTable.forward(ps, lastW, training))
                .add(posTable.forward(ps, posInPhone, training))
                .add(Embedding.embedding(phonePointer, encodedFlat, SparseFormat.DENSE).singletonOrThrow())
                .add(speakerTable.forward(ps, speakers, training).expandDims(1))
                .add(Ops.sinusoid(prevKind.getManager(), start, (int) prevKind.getShape().get(1), c.dModel()));
        return training && c.dropout() > 0 ? Dropout.dropout(x, c.dropout(), true).singletonOrThrow() : x;
    }

    /**
     * Generation-time embedding of decoder steps: every input table, the batch's encoded phones,
     * its speakers' rows and the position encodings stacked into one table, so a step's input
     * vector is one gather of {@link #FIELDS} rows and one sum (3 native calls instead of ~20).
     * Field order of an index row: kind, voicing, energy, pitch, position in phone, phone pointer
     * (into the flattened encoded phones), speaker row (batch row), absolute position.
     */
    StepTable stepTable(ParameterStore ps, NDArray encodedFlat, NDArray speakers, int maxSteps) {
        var dev = encodedFlat.getDevice();
        NDManager m = encodedFlat.getManager();
        NDArray[] parts = {kindTable.weight(ps, dev, false), vTable.weight(ps, dev, false), eTable.weight(ps, dev, false),
            wTable.weight(ps, dev, false), posTable.weight(ps, dev, false), encodedFlat,
            speakerTable.forward(ps, speakers, false), Ops.sinusoid(m, 0, maxSteps, c.dModel()).reshape(maxSteps, c.dModel())};
        long[] offsets = new long[parts.length];
        long o = 0;
        for (int i = 0; i < parts.length; i++) {
            offsets[i] = o;
            o += parts[i].getShape().get(0);
        }
        NDArray table = NDArrays.concat(new NDList(parts), 0);
        // an op's result belongs to its first operand's manager, here the model's (a parameter):
        // without this, every generation would leave its table behind for the model's lifetime
        table.attach(m);
        return new StepTable(table, offsets);
    }

    static final int FIELDS = 8;

    /** See {@link #stepTable}. */
    record StepTable(NDArray table, long[] offsets) {
        /** {@code (b, t, d)} from {@code index (b, t, FIELDS)} of raw (un-offset) field values. */
        NDArray embed(NDArray index) {
            return Embedding.embedding(index, table, SparseFormat.DENSE).singletonOrThrow().sum(new int[] {2});
        }
    }

    /** Runs the decoder; with a cache, {@code x} holds only the new step (one position) and mask may be null. */
    NDArray decode(ParameterStore ps, NDArray x, NDArray mask, KvCache cache, boolean training) {
        for (int i = 0; i < decoder.size(); i++) {
            x = decoder.get(i).forward(ps, x, mask, cache == null ? null : cache.layer(i), training);
        }
        return lnOut.forward(ps, new NDList(x), training).singletonOrThrow();
    }

    /** Raw logits of the four heads side by side: {@code (..., 2 + voicing + energy + pitch)}. */
    NDArray headLogits(ParameterStore ps, NDArray hidden, boolean training) {
        return head.forward(ps, new NDList(hidden), training).singletonOrThrow();
    }

    /** Log-probabilities of the four heads. */
    Heads heads(ParameterStore ps, NDArray hidden, boolean training) {
        CoarseLayout k = c.coarse();
        NDArray logits = head.forward(ps, new NDList(hidden), training).singletonOrThrow();
        NDList parts = logits.split(new long[] {2, 2 + k.voicingLevels(), 2 + k.voicingLevels() + k.energyLevels()}, 2);
        return new Heads(parts.get(0).logSoftmax(-1), parts.get(1).logSoftmax(-1), parts.get(2).logSoftmax(-1),
                parts.get(3).logSoftmax(-1));
    }

    /** Teacher-forced pass over a whole batch. */
    Heads forward(ParameterStore ps, ArBatch b, boolean training) {
        NDArray enc = encodePhones(ps, b.phones, b.phoneMask, b.speakers, training);
        NDArray x = embedSteps(ps, flatten(enc), b.speakers, b.prevKind, b.lastV, b.lastE, b.lastW, b.phonePointer, b.posInPhone, 0, training);
        NDArray h = decode(ps, x, Ops.causalMask(b.prevKind.getManager(), b.maxLength), null, training);
        return heads(ps, h, training);
    }

    /** Supervised loss (ordered fields with Gaussian-smoothed targets) and accuracies. */
    public Loss loss(ParameterStore ps, ArBatch b, boolean training) {
        Heads h = forward(ps, b, training);
        NDArray kind = Ops.maskedMean(Ops.pick(h.kind, b.outKind).neg(), b.mask);
        NDArray v = Ops.maskedMean(Ops.pick(h.voicing, b.outV).neg(), b.frameMask);
        NDArray e = Ops.maskedMean(Ops.orderedNll(h.energy, b.outE, c.energySigma()), b.frameMask);
        NDArray w = Ops.maskedMean(Ops.orderedNll(h.pitch, b.outW, c.pitchSigma()), b.frameMask);
        NDArray total = kind.add(v).add(e).add(w);
        return new Loss(total, new float[] {
            total.getFloat(), kind.getFloat(), v.getFloat(), e.getFloat(), w.getFloat(),
            accuracy(h.kind, b.outKind, b.mask), accuracy(h.voicing, b.outV, b.frameMask),
            accuracy(h.energy, b.outE, b.frameMask), accuracy(h.pitch, b.outW, b.frameMask)});
    }

    /** Names of {@link Loss#metrics()}. */
    public static final List<String> METRICS = List.of("loss", "kind_nll", "voicing_nll", "energy_nll", "pitch_nll",
            "kind_acc", "voicing_acc", "energy_acc", "pitch_acc");

    /**
     * Per-token log-probabilities of the sequences' own tokens, exact (no smoothing): {@code (b, t)},
     * zero on padding. Inside a GradientCollector (training) it carries gradients; the DPO trainer
     * sums it per sequence.
     */
    public NDArray tokenLogProbs(ParameterStore ps, ArBatch b, boolean training) {
        Heads h = forward(ps, b, training);
        NDArray frame = Ops.pick(h.voicing, b.outV).add(Ops.pick(h.energy, b.outE)).add(Ops.pick(h.pitch, b.outW));
        return Ops.pick(h.kind, b.outKind).add(frame.mul(b.frameMask)).mul(b.mask);
    }

    /** Log-probability of each whole sequence given its (speaker, phones): {@code (b)}. */
    public NDArray sequenceLogProbs(ParameterStore ps, ArBatch b, boolean training) {
        return tokenLogProbs(ps, b, training).sum(new int[] {1});
    }

    private static float accuracy(NDArray logp, NDArray target, NDArray mask) {
        NDArray hit = logp.argMax(-1).eq(target).toType(DataType.FLOAT32, false);
        return Ops.maskedMean(hit, mask).getFloat();
    }

    record Heads(NDArray kind, NDArray voicing, NDArray energy, NDArray pitch) {}

    /** A scalar loss to differentiate and its metrics (see {@link #METRICS}). */
    public record Loss(NDArray value, float[] metrics) {}
}
