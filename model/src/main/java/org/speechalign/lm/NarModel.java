package org.speechalign.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;

/**
 * The non-autoregressive model: a bidirectional transformer over frames (FastSpeech-like) that
 * predicts every fine codebook of every frame in parallel from the frame's phone, position in the
 * phone, phone duration, speaker and coarse token. The fine codebooks are ordered values (LSP
 * frequencies), trained with Gaussian-smoothed targets.
 */
public final class NarModel extends LmBlock {

    private final LmConfig c;
    private final Table phoneTable, speakerTable, posTable, durTable, vTable, eTable, wTable;
    private final List<TransformerLayer> layers = new ArrayList<>();
    private final LayerNorm lnOut;
    private final Linear head;

    public NarModel(LmConfig config) {
        c = config;
        int d = c.dModel();
        CoarseLayout k = c.coarse();
        phoneTable = addChildBlock("phone", new Table(c.phoneVocab(), d));
        speakerTable = addChildBlock("speaker", new Table(c.speakerVocab(), d));
        posTable = addChildBlock("pos_in_phone", new Table(c.maxPosInPhone(), d));
        durTable = addChildBlock("duration", new Table(c.maxPosInPhone(), d));
        vTable = addChildBlock("voicing", new Table(k.voicingLevels(), d));
        eTable = addChildBlock("energy", new Table(k.energyLevels(), d));
        wTable = addChildBlock("pitch", new Table(k.pitchLevels(), d));
        for (int i = 0; i < c.narLayers(); i++) {
            layers.add(addChildBlock("layer" + i, new TransformerLayer(d, c.heads(), c.ffnMultiplier(), c.dropout())));
        }
        lnOut = addChildBlock("ln_out", LayerNorm.builder().axis(2).build());
        head = addChildBlock("head", Linear.builder().setUnits((long) c.fineCodebooks() * c.fineSize()).build());
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape shape = new Shape(1, 1, c.dModel());
        getChildren().values().forEach(b -> b.initialize(manager, dataType, shape));
    }

    public LmConfig config() {
        return c;
    }

    /** Log-probabilities of the fine codebooks: {@code (b, frames, codebooks, size)}. */
    NDArray forward(ParameterStore ps, NarBatch b, boolean training) {
        NDArray x = phoneTable.forward(ps, b.phone, training)
                .add(posTable.forward(ps, b.pos, training))
                .add(durTable.forward(ps, b.duration, training))
                .add(vTable.forward(ps, b.v, training))
                .add(eTable.forward(ps, b.e, training))
                .add(wTable.forward(ps, b.w, training))
                .add(speakerTable.forward(ps, b.speakers, training).expandDims(1))
                .add(Ops.sinusoid(b.phone.getManager(), 0, b.maxFrames, c.dModel()));
        if (training && c.dropout() > 0) x = Dropout.dropout(x, c.dropout(), true).singletonOrThrow();
        NDArray mask = Ops.keyPaddingMask(b.mask);
        for (TransformerLayer layer : layers) {
            x = layer.forward(ps, x, mask, null, training);
        }
        x = lnOut.forward(ps, new NDList(x), training).singletonOrThrow();
        NDArray logits = head.forward(ps, new NDList(x), training).singletonOrThrow();
        return logits.reshape(b.size, b.maxFrames, c.fineCodebooks(), c.fineSize()).logSoftmax(3);
    }

    /** Supervised loss and metrics ({@link #METRICS}). */
    public ArModel.Loss loss(ParameterStore ps, NarBatch b, boolean training) {
        if (b.fine == null) throw new IllegalArgumentException("batch has no fine-codebook targets");
        NDArray logp = forward(ps, b, training);
        NDArray nll = Ops.orderedNll(logp, b.fine, c.fineSigma()).mean(new int[] {2});
        NDArray loss = Ops.maskedMean(nll, b.mask);
        NDArray pred = logp.argMax(3);
        NDArray frameMask = b.mask.expandDims(2);
        NDArray exact = pred.eq(b.fine).toType(DataType.FLOAT32, false).mul(frameMask).sum();
        NDArray near = pred.sub(b.fine).abs().lt(2).toType(DataType.FLOAT32, false).mul(frameMask).sum();
        float denom = b.mask.sum().getFloat() * c.fineCodebooks();
        return new ArModel.Loss(loss, new float[] {loss.getFloat(), exact.getFloat() / denom, near.getFloat() / denom});
    }

    public static final List<String> METRICS = List.of("loss", "fine_acc", "fine_acc_pm1");

    /** Most likely fine codebooks of each item: {@code [item][codebook][frame]}. */
    public int[][][] predict(ParameterStore ps, NarBatch b) {
        long[] pred = forward(ps, b, false).argMax(3).toLongArray();
        int[][][] out = new int[b.size][c.fineCodebooks()][];
        for (int i = 0; i < b.size; i++) {
            for (int q = 0; q < c.fineCodebooks(); q++) {
                int[] f = new int[b.frames[i]];
                for (int t = 0; t < f.length; t++) f[t] = (int) pred[(int) (((long) i * b.maxFrames + t) * c.fineCodebooks() + q)];
                out[i][q] = f;
            }
        }
        return out;
    }
}
