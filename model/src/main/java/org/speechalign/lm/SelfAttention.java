package org.speechalign.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;

/**
 * Multi-head self-attention over {@code (batch, time, d)}. An additive mask broadcastable to
 * {@code (batch, heads, query, key)} (0 = visible, large negative = hidden) makes it causal or
 * hides padding. With a {@link KvCache.Layer} the input is one new position whose keys and values
 * are appended to the cached ones and whose query attends to all of them: one decoding step costs
 * O(time), not O(time^2).
 */
final class SelfAttention extends LmBlock {

    private final int dModel;
    private final int heads;
    private final float dropout;
    private final Linear qkv;
    private final Linear proj;

    SelfAttention(int dModel, int heads, float dropout) {
        this.dModel = dModel;
        this.heads = heads;
        this.dropout = dropout;
        qkv = addChildBlock("qkv", Linear.builder().setUnits(3L * dModel).build());
        proj = addChildBlock("proj", Linear.builder().setUnits(dModel).build());
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        qkv.initialize(manager, dataType, new Shape(1, 1, dModel));
        proj.initialize(manager, dataType, new Shape(1, 1, dModel));
    }

    NDArray forward(ParameterStore ps, NDArray x, NDArray mask, KvCache.Layer cache, boolean training) {
        if (cache != null) {
            return step(ps, x, cache);
        }
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        long dh = dModel / heads;
        NDList parts = qkv.forward(ps, new NDList(x), training).singletonOrThrow().split(3, 2);
        NDArray q = parts.get(0).reshape(b, t, heads, dh).transpose(0, 2, 1, 3);
        NDArray k = parts.get(1).reshape(b, t, heads, dh).transpose(0, 2, 1, 3);
        NDArray v = parts.get(2).reshape(b, t, heads, dh).transpose(0, 2, 1, 3);
        NDArray y = attend(q, k, v, mask, training).transpose(0, 2, 1, 3).reshape(b, t, dModel);
        return proj.forward(ps, new NDList(y), training).singletonOrThrow();
    }

    /** Scaled dot-product attention of {@code q} over {@code k, v}, each {@code (b, heads, time, dHead)}. */
    private NDArray attend(NDArray q, NDArray k, NDArray v, NDArray mask, boolean training) {
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).muli(1.0 / Math.sqrt(dModel / heads));
        if (mask != null) {
            scores = scores.add(mask);
        }
        NDArray att = scores.softmax(-1);
        if (training && dropout > 0) {
            att = Dropout.dropout(att, dropout, true).singletonOrThrow();
        }
        return att.matMul(v);
    }

    /**
     * One decoding step, {@code x (b, 1, d)}: the same arithmetic as {@link #forward} with fewer
     * native calls (each costs microseconds; a step's matrices are tiny). With one position, the
     * projection {@code (b, 1, 3d)} is {@code (b, 3, heads, 1, dHead)} as it stands: one reshape
     * and one transpose instead of a split and three of each, and keys and values go to the cache
     * together.
     */
    private NDArray step(ParameterStore ps, NDArray x, KvCache.Layer cache) {
        long b = x.getShape().get(0);
        if (x.getShape().get(1) != 1) {
            throw new IllegalArgumentException("a cached step takes one position, got " + x.getShape());
        }
        long dh = dModel / heads;
        NDArray qkvHeads = qkv.forward(ps, new NDList(x), false).singletonOrThrow()
                .reshape(b, 3, heads, 1, dh).transpose(1, 0, 2, 3, 4); // (3, b, heads, 1, dHead)
        NDArray kv = cache.append(qkvHeads.get(new NDIndex().addSliceDim(1, 3))); // (2, b, heads, time, dHead)
        NDArray y = attend(qkvHeads.get(0), kv.get(0), kv.get(1), null, false).reshape(b, 1, dModel);
        return proj.forward(ps, new NDList(y), false).singletonOrThrow();
    }
}
