package org.speechalign.corpus;

import java.util.ArrayList;
import java.util.List;

/**
 * Phone END times (seconds, as {@code flite -psdur} prints them) → durations in codec frames.
 *
 * <p>Cumulative end times are rounded to the nearest frame boundary, never individual durations,
 * so rounding errors do not drift along the utterance: phone {@code i} ends at frame
 * {@code round(end_i × fps)}. Ends are made non-decreasing and clamped to the codec's frame
 * count (the audio may be shorter than the last end time — codec2 drops a trailing partial frame,
 * and diphone voices may end early); the last phone always ends at the last frame, so it
 * absorbs frames the codec emits after the last phone. Hence the durations are non-negative,
 * keep the phone order and sum exactly to the frame count. A phone shorter than half a frame
 * may get 0 frames.
 */
public final class PhoneAlignment {
    private PhoneAlignment() {
    }

    public static List<Phone> toFrames(List<Flite.TimedPhone> phones, int frameCount, double framesPerSecond) {
        if (phones.isEmpty()) throw new IllegalArgumentException("no phones to align");
        if (frameCount < 0) throw new IllegalArgumentException("negative frame count " + frameCount);
        if (!(framesPerSecond > 0)) throw new IllegalArgumentException("frames per second must be positive");
        List<Phone> out = new ArrayList<>(phones.size());
        int previousEnd = 0;
        for (int i = 0; i < phones.size(); i++) {
            Flite.TimedPhone p = phones.get(i);
            int end = i == phones.size() - 1
                    ? frameCount
                    : (int) Math.min(frameCount, Math.max(previousEnd, Math.round(p.endSeconds() * framesPerSecond)));
            out.add(new Phone(p.symbol(), end - previousEnd));
            previousEnd = end;
        }
        return out;
    }

    /** Sum of the durations. */
    public static int totalFrames(List<Phone> phones) {
        int sum = 0;
        for (Phone p : phones) sum += p.frames();
        return sum;
    }
}
