package org.speechalign.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;

/** A learned embedding table: integer indices of any shape to vectors of width {@code dim}. */
final class Table extends LmBlock {

    private final Parameter weight;
    private final int rows;

    Table(int rows, int dim) {
        this.rows = rows;
        weight = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(rows, dim)).optInitializer(new NormalInitializer(0.02f)).build());
    }

    @Override
    public void initialize(NDManager manager, DataType dataType, Shape... inputShapes) {
        super.initialize(manager, dataType, new Shape(1));
    }

    /** Looks up {@code indices} (int64); the result has the indices' shape plus the width. */
    NDArray forward(ParameterStore ps, NDArray indices, boolean training) {
        NDArray w = ps.getValue(weight, indices.getDevice(), training);
        return Embedding.embedding(indices, w, SparseFormat.DENSE).singletonOrThrow();
    }

    /** The table itself, {@code (rows, dim)}. */
    NDArray weight(ParameterStore ps, ai.djl.Device device, boolean training) {
        return ps.getValue(weight, device, training);
    }

    int rows() {
        return rows;
    }
}
