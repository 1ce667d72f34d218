package org.speechalign.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns text into the word sequence WER is scored on: lower case, punctuation stripped (an
 * apostrophe inside a word is kept: {@code don't}), hyphens split words, and digits spelt out
 * the way flite reads them, so a reference text and the ASR's words ({@code forty two}) match.
 *
 * <p>Number rules (checked against {@code t2p}): cardinals without "and" ({@code 123} →
 * one hundred twenty three); four-digit numbers read as years when both halves allow it
 * ({@code 1990} → nineteen ninety, {@code 1900} → nineteen hundred, {@code 2024} → twenty
 * twenty four; {@code 2005}, {@code 1066} stay cardinals); thousands separators dropped;
 * {@code 3.5} → three point five; {@code 12:30} → twelve thirty; ordinals {@code 1st 2nd 3rd 5th};
 * {@code %} → percent, {@code &} → and. Common British spellings become American ({@code neighbour}
 * → neighbor), as the recogniser's lexicon writes them.
 */
public final class TextNormalizer {

    private static final String[] ONES = {"zero", "one", "two", "three", "four", "five", "six", "seven",
        "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
        "seventeen", "eighteen", "nineteen"};
    private static final String[] TENS = {"", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy",
        "eighty", "ninety"};
    private static final String[][] ORDINAL_ENDINGS = {{"one", "first"}, {"two", "second"}, {"three", "third"},
        {"five", "fifth"}, {"eight", "eighth"}, {"nine", "ninth"}, {"twelve", "twelfth"}};

    /** British spellings the recogniser (American lexicon) writes the American way. */
    private static final java.util.Map<String, String> SPELLING = spellings();

    private static java.util.Map<String, String> spellings() {
        java.util.Map<String, String> m = new java.util.HashMap<>();
        for (String stem : new String[] {"neighbo", "colo", "favo", "hono", "labo", "harbo", "behavio", "flavo", "humo",
            "rumo", "vapo", "armo", "savo", "valo", "vigo", "odo", "parlo", "splendo", "endeavo", "glamo", "rigo"}) {
            for (String tail : new String[] {"", "s", "ed", "ing", "ite", "ites", "able", "ful", "hood", "hoods", "ly"}) {
                m.put(stem + "ur" + tail, stem + "r" + tail);
            }
        }
        for (String[] p : new String[][] {{"centre", "center"}, {"centres", "centers"}, {"theatre", "theater"},
            {"metre", "meter"}, {"metres", "meters"}, {"grey", "gray"}, {"travelled", "traveled"},
            {"travelling", "traveling"}, {"cancelled", "canceled"}, {"jewellery", "jewelry"}, {"programme", "program"},
            {"cheque", "check"}, {"defence", "defense"}, {"offence", "offense"}, {"licence", "license"},
            {"realise", "realize"}, {"realised", "realized"}, {"organise", "organize"}, {"apologise", "apologize"}}) {
            m.put(p[0], p[1]);
        }
        return java.util.Map.copyOf(m);
    }

    private static final Pattern THOUSANDS = Pattern.compile("(?<=\\d),(?=\\d{3}\\b)");
    private static final Pattern TIME = Pattern.compile("\\b(\\d{1,2}):(\\d{2})\\b");
    private static final Pattern DECIMAL = Pattern.compile("\\b(\\d+)\\.(\\d+)\\b");
    private static final Pattern ORDINAL = Pattern.compile("\\b(\\d+)(st|nd|rd|th)\\b");
    private static final Pattern NUMBER = Pattern.compile("\\d+");

    private TextNormalizer() {}

    /** The normalised words of {@code text}; never null, possibly empty. */
    public static List<String> words(String text) {
        if (text == null) return List.of();
        String s = text.toLowerCase(Locale.ROOT)
                .replace('\u2019', '\'').replace('\u2018', '\'')
                .replace("%", " percent ").replace("&", " and ");
        s = THOUSANDS.matcher(s).replaceAll("");
        s = replace(TIME, s, m -> cardinal(Long.parseLong(m.group(1))) + " "
                + (m.group(2).equals("00") ? "" : twoDigits(Integer.parseInt(m.group(2)))));
        s = replace(DECIMAL, s, m -> number(m.group(1)) + " point " + digits(m.group(2)));
        s = replace(ORDINAL, s, m -> ordinal(number(m.group(1))));
        s = replace(NUMBER, s, m -> number(m.group()));
        // Everything that is not a letter, digit or in-word apostrophe separates words.
        s = s.replaceAll("[^\\p{L}\\p{N}']+", " ");
        List<String> out = new ArrayList<>();
        for (String w : s.trim().split(" +")) {
            String t = w.replaceAll("^'+|'+$", "");
            if (t.isEmpty()) continue;
            String base = t.endsWith("'s") ? t.substring(0, t.length() - 2) : t;
            out.add(SPELLING.containsKey(base) ? SPELLING.get(base) + t.substring(base.length()) : t);
        }
        return out;
    }

    /** The normalised words joined by single spaces. */
    public static String normalize(String text) {
        return String.join(" ", words(text));
    }

    private interface Repl { String apply(Matcher m); }

    private static String replace(Pattern p, String s, Repl r) {
        Matcher m = p.matcher(s);
        StringBuilder sb = new StringBuilder();
        while (m.find()) m.appendReplacement(sb, Matcher.quoteReplacement(" " + r.apply(m) + " "));
        m.appendTail(sb);
        return sb.toString();
    }

    /** A digit string the way flite reads it (years for suitable four-digit numbers). */
    static String number(String digits) {
        if (digits.length() > 15) return digits(digits);
        long n = Long.parseLong(digits);
        if (digits.length() == 4 && digits.charAt(0) != '0') {
            int hi = (int) (n / 100), lo = (int) (n % 100);
            if (hi >= 11 && lo >= 10) return twoDigits(hi) + " " + twoDigits(lo);
            if (hi >= 11 && lo == 0 && hi % 10 != 0) return twoDigits(hi) + " hundred";
        }
        return cardinal(n);
    }

    static String cardinal(long n) {
        if (n < 20) return ONES[(int) n];
        if (n < 100) return twoDigits((int) n);
        String[] scales = {"", "thousand", "million", "billion", "trillion"};
        List<String> parts = new ArrayList<>();
        int scale = 0;
        while (n > 0) {
            int chunk = (int) (n % 1000);
            if (chunk > 0) parts.add(0, hundreds(chunk) + (scales[scale].isEmpty() ? "" : " " + scales[scale]));
            n /= 1000;
            scale++;
        }
        return String.join(" ", parts);
    }

    private static String hundreds(int n) {
        if (n < 100) return twoDigits(n);
        String h = ONES[n / 100] + " hundred";
        return n % 100 == 0 ? h : h + " " + twoDigits(n % 100);
    }

    private static String twoDigits(int n) {
        if (n < 20) return ONES[n];
        return n % 10 == 0 ? TENS[n / 10] : TENS[n / 10] + " " + ONES[n % 10];
    }

    private static String digits(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) sb.append(sb.length() == 0 ? "" : " ").append(ONES[c - '0']);
        return sb.toString();
    }

    private static String ordinal(String words) {
        int space = words.lastIndexOf(' ');
        String head = space < 0 ? "" : words.substring(0, space + 1);
        String last = words.substring(space + 1);
        for (String[] e : ORDINAL_ENDINGS) if (last.equals(e[0])) return head + e[1];
        if (last.endsWith("y")) return head + last.substring(0, last.length() - 1) + "ieth";
        return head + last + "th";
    }
}
