package org.speechalign.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;

/**
 * Pre-norm transformer layer: {@code x + attn(ln(x))}, then {@code x + mlp(ln(x))}. LayerNorm
 * normalises over the feature axis only (axis 2): DJL's default axes would mix time steps and
 * leak the future into the past.
 */
final class TransformerLayer extends LmBlock {

    private final int dModel;
    private final float dropout;
    private final LayerNorm ln1;
    private final SelfAttention attention;
    private final LayerNorm ln2;
    private final Linear up;
    private final Linear down;

    TransformerLayer(int dModel, int heads, int ffnMultiplier, float dropout) {
        this.dModel = dModel;
        this.dropout = dropout;
        ln1 = addChildBlock("ln1", LayerNorm.builder().axis(2).build());
        attention = addChildBlock("attention", new SelfAttention(dModel, heads, dropout));
        ln2 = addChildBlock("ln2", LayerNorm.builder().axis(2).build());
        up = addChildBlock("up", Linear.builder().setUnits((long) ffnMultiplier * dModel).build());
        down = addChildBlock("down", Linear.builder().setUnits(dModel).build());
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape shape = new Shape(1, 1, dModel);
        ln1.initialize(manager, dataType, shape);
        attention.initialize(manager, dataType, shape);
        ln2.initialize(manager, dataType, shape);
        up.initialize(manager, dataType, shape);
        down.initialize(manager, dataType, new Shape(1, 1, up.getOutputShapes(new Shape[] {shape})[0].get(2)));
    }

    NDArray forward(ParameterStore ps, NDArray x, NDArray mask, KvCache.Layer cache, boolean training) {
        NDArray a = attention.forward(ps, ln1.forward(ps, new NDList(x), training).singletonOrThrow(), mask, cache, training);
        x = x.add(drop(a, training));
        NDArray h = ln2.forward(ps, new NDList(x), training).singletonOrThrow();
        h = Activation.gelu(up.forward(ps, new NDList(h), training).singletonOrThrow());
        h = down.forward(ps, new NDList(h), training).singletonOrThrow();
        return x.add(drop(h, training));
    }

    private NDArray drop(NDArray x, boolean training) {
        return training && dropout > 0 ? Dropout.dropout(x, dropout, true).singletonOrThrow() : x;
    }
}
