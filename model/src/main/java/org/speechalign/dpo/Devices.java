package org.speechalign.dpo;

import ai.djl.Device;
import ai.djl.engine.Engine;

/**
 * {@code --device cpu|gpu|auto}. Models are created and loaded on the engine's default device, which
 * is the first CUDA device when the CUDA native jar (Maven profile {@code cuda}) finds one, else
 * the CPU; every tensor the DPO code makes lives on the model's manager, so it follows the model.
 * This checks that the requested device is the one in use and says how to get it otherwise.
 */
public final class Devices {

    private Devices() {}

    public static Device require(String name) {
        Engine engine = Engine.getInstance();
        Device actual = engine.defaultDevice();
        String want = name == null ? "auto" : name.trim().toLowerCase(java.util.Locale.ROOT);
        switch (want) {
            case "auto":
                return actual;
            case "gpu":
            case "cuda":
                if (!actual.isGpu()) {
                    throw new IllegalArgumentException("--device gpu: no CUDA device is visible to PyTorch (" + engine.getEngineName()
                            + " " + engine.getVersion() + ", GPUs: " + engine.getGpuCount()
                            + "); build with the CUDA native jar (mvn -Pcuda) on a machine with an NVIDIA GPU");
                }
                return actual;
            case "cpu":
                if (actual.isGpu()) {
                    throw new IllegalArgumentException("--device cpu: this build uses the CUDA device by default; hide it with CUDA_VISIBLE_DEVICES= to run on the CPU");
                }
                return actual;
            default:
                throw new IllegalArgumentException("--device must be cpu, gpu or auto, not " + name);
        }
    }
}
