package org.speechalign.lm;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Base of the model's blocks. They are driven through their own typed {@code forward} methods
 * (which take masks and KV caches), not through DJL's generic {@link #forward}: DJL is used for
 * parameters, initialisation, autograd and serialisation.
 */
abstract class LmBlock extends AbstractBlock {

    LmBlock() {
        super((byte) 1);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " is driven through its typed forward method");
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }
}
