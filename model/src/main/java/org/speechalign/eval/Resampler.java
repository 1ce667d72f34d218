package org.speechalign.eval;

/**
 * Band-limited resampling of 16-bit PCM by a Hann-windowed sinc (16 zero crossings each side,
 * cut-off at 95 % of the lower Nyquist frequency, so downsampling is anti-aliased).
 */
public final class Resampler {
    private static final int ZEROS = 16;

    private Resampler() {}

    public static short[] resample(short[] in, int fromRate, int toRate) {
        if (fromRate == toRate) return in.clone();
        double[] out = resample(toDouble(in), fromRate, toRate);
        return toShort(out);
    }

    public static double[] resample(double[] x, int fromRate, int toRate) {
        if (fromRate == toRate) return x.clone();
        double ratio = (double) toRate / fromRate;
        double cutoff = 0.95 * Math.min(fromRate, toRate) / 2.0; // Hz
        double fc = cutoff / fromRate; // cycles per input sample
        double halfWidth = ZEROS / (2 * fc); // input samples
        int n = (int) Math.floor(x.length * ratio);
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double t = i / ratio; // position in input samples
            int lo = (int) Math.ceil(t - halfWidth), hi = (int) Math.floor(t + halfWidth);
            double acc = 0;
            for (int k = Math.max(lo, 0); k <= Math.min(hi, x.length - 1); k++) {
                double d = t - k;
                double arg = 2 * fc * d;
                double sinc = arg == 0 ? 1 : Math.sin(Math.PI * arg) / (Math.PI * arg);
                double w = 0.5 + 0.5 * Math.cos(Math.PI * d / halfWidth);
                acc += x[k] * 2 * fc * sinc * w;
            }
            y[i] = acc;
        }
        return y;
    }

    public static double[] toDouble(short[] pcm) {
        double[] d = new double[pcm.length];
        for (int i = 0; i < pcm.length; i++) d[i] = pcm[i];
        return d;
    }

    public static short[] toShort(double[] x) {
        short[] s = new short[x.length];
        for (int i = 0; i < x.length; i++) s[i] = (short) Math.max(-32768, Math.min(32767, Math.round(x[i])));
        return s;
    }
}
