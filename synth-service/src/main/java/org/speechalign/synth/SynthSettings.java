package org.speechalign.synth;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * synth-service settings (prefix {@code synth}; environment {@code SYNTH_…}).
 *
 * @param modelLine          the model line served (default {@code default})
 * @param baseModel          archive registered and promoted as the line's first version if it serves none (optional)
 * @param maxTextLength      longest text accepted, in characters (default 500)
 * @param maxSamples         most samples per request (default 8)
 * @param maxTemperature     highest temperature accepted (default 2.0)
 * @param defaultTemperature temperature when the request sets none (default 1.0)
 * @param topK               top-k of every synthesis, 0 = off (default 0)
 * @param topP               top-p of every synthesis (default 1.0)
 * @param maxFramesPerPhone  a phone ends after this many frames (default 40)
 * @param maxConcurrent      syntheses running at once; more wait (default 2)
 * @param ackTimeout         how long a request waits for Kafka's acknowledgement before 503 (default 30s)
 * @param keyCacheTtl        how long a key lookup may be cached (default 5s)
 * @param audioCacheSize     syntheses whose tokens are kept in memory for audio.wav (default 10000; older ones come from PostgreSQL)
 * @param selfPlayEnabled    run the self-play job (default false)
 * @param selfPlayInterval   time between self-play batches (default 60s)
 * @param selfPlayBatchSize  train-split utterances per batch (default 8): rate = batch size / interval
 * @param selfPlayTemperature temperature of self-play samples (default 1.0)
 */
@ConfigurationProperties("synth")
public record SynthSettings(
        @Bindable(defaultValue = "default") String modelLine,
        @Nullable String baseModel,
        @Bindable(defaultValue = "500") int maxTextLength,
        @Bindable(defaultValue = "8") int maxSamples,
        @Bindable(defaultValue = "2.0") double maxTemperature,
        @Bindable(defaultValue = "1.0") double defaultTemperature,
        @Bindable(defaultValue = "0") int topK,
        @Bindable(defaultValue = "1.0") double topP,
        @Bindable(defaultValue = "40") int maxFramesPerPhone,
        @Bindable(defaultValue = "2") int maxConcurrent,
        @Bindable(defaultValue = "30s") Duration ackTimeout,
        @Bindable(defaultValue = "5s") Duration keyCacheTtl,
        @Bindable(defaultValue = "10000") int audioCacheSize,
        @Bindable(defaultValue = "false") boolean selfPlayEnabled,
        @Bindable(defaultValue = "60s") Duration selfPlayInterval,
        @Bindable(defaultValue = "8") int selfPlayBatchSize,
        @Bindable(defaultValue = "1.0") double selfPlayTemperature) {
}
