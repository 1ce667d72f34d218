package org.speechalign.audio;

/**
 * Band-limited resampling by windowed-sinc interpolation (Blackman window), with the cut-off
 * at the lower Nyquist frequency so downsampling (16 kHz flite speech → 8 kHz codec2) does not
 * alias.
 */
public final class Resampler {
    private static final int HALF_TAPS = 32;

    private Resampler() {
    }

    public static short[] resample(short[] in, int fromRate, int toRate) {
        if (fromRate <= 0 || toRate <= 0) throw new IllegalArgumentException("sample rates must be positive");
        if (fromRate == toRate) return in.clone();
        double ratio = (double) toRate / fromRate;
        double cutoff = Math.min(1.0, ratio); // relative to the input Nyquist
        int outLength = (int) Math.floor(in.length * ratio);
        short[] out = new short[outLength];
        double halfWidth = HALF_TAPS / cutoff;
        for (int n = 0; n < outLength; n++) {
            double t = n / ratio;
            int first = (int) Math.ceil(t - halfWidth);
            int last = (int) Math.floor(t + halfWidth);
            double sum = 0;
            for (int k = Math.max(0, first); k <= Math.min(in.length - 1, last); k++) {
                double x = (k - t) * cutoff;
                double window = 0.42 + 0.5 * Math.cos(Math.PI * (k - t) / halfWidth)
                        + 0.08 * Math.cos(2 * Math.PI * (k - t) / halfWidth);
                sum += in[k] * cutoff * sinc(x) * window;
            }
            out[n] = (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, Math.round(sum)));
        }
        return out;
    }

    private static double sinc(double x) {
        return x == 0 ? 1.0 : Math.sin(Math.PI * x) / (Math.PI * x);
    }
}
