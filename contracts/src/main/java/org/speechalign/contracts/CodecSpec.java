package org.speechalign.contracts;

/**
 * Which codec produced the tokens.
 *
 * @param name codec name, e.g. {@code codec2}
 * @param mode codec mode, e.g. {@code 3200}
 */
public record CodecSpec(String name, String mode) {
}
