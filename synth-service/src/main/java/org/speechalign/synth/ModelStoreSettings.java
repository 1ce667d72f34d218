package org.speechalign.synth;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * The model store (prefix {@code model}: {@code MODEL_STORE} sets {@code model.store}).
 *
 * @param store directory path or {@code file:} URI of the store; fetched foreign artifacts are cached under it
 */
@ConfigurationProperties("model")
public record ModelStoreSettings(@Bindable(defaultValue = ".speechalign/models/store") String store) {
}
