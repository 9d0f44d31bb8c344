package ecgdetector.model.input;

import java.nio.charset.StandardCharsets;

/**
 * Text that came from outside (a record key, a header, a field of a record that failed its checks) made safe to
 * put in a log line or an error message: every control character, and the Unicode line and paragraph separators,
 * written as {@code \\uXXXX}, so a crafted value cannot end a log line and forge the next one; backslashes doubled,
 * so an escape in the input cannot pass for one of ours; and cut to a length that fits a line.
 */
public final class UntrustedText {

    /** Characters of untrusted text kept in a line; the rest is cut, saying how much was. */
    public static final int MAX_CHARS = 200;

    private UntrustedText() {}

    /** {@code text} escaped and cut to {@value #MAX_CHARS} characters; {@code "null"} for null. */
    public static String of(String text) {
        if (text == null) {
            return "null";
        }
        int keep = Math.min(text.length(), MAX_CHARS);
        String escaped = escape(text, keep);
        return text.length() > keep ? escaped + "... (" + (text.length() - keep) + " more characters)" : escaped;
    }

    /** The bytes as UTF-8 text, escaped and cut as {@link #of(String)} does; {@code "null"} for null. */
    public static String of(byte[] utf8) {
        if (utf8 == null) {
            return "null";
        }
        // No more is decoded than can be shown: a header may be megabytes.
        int decoded = Math.min(utf8.length, 4 * MAX_CHARS);
        String text = new String(utf8, 0, decoded, StandardCharsets.UTF_8);
        int keep = Math.min(text.length(), MAX_CHARS);
        int keptBytes = text.substring(0, keep).getBytes(StandardCharsets.UTF_8).length;
        String escaped = escape(text, keep);
        return keptBytes < utf8.length ? escaped + "... (" + (utf8.length - keptBytes) + " more bytes)" : escaped;
    }

    private static String escape(String text, int chars) {
        StringBuilder out = new StringBuilder(chars + 16);
        for (int i = 0; i < chars; i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                out.append("\\\\");
            } else if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
