package org.speechalign.contracts;

/**
 * One phone and its duration in codec frames, as carried by golden, synthesis and preference events.
 *
 * @param symbol the phone (flite's phone set, e.g. {@code hh}, {@code pau})
 * @param frames how many codec frames it lasts (≥ 0)
 */
public record PhoneFrames(String symbol, Integer frames) {
}
