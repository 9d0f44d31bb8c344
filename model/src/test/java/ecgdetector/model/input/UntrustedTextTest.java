package ecgdetector.model.input;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class UntrustedTextTest {

    @Test
    void controlCharactersAndLineSeparatorsAreEscapedAndBackslashesDoubled() {
        assertThat(UntrustedText.of("v1\r\nINFO forged\u2028\u0007\\u000a"))
                .isEqualTo("v1\\u000d\\u000aINFO forged\\u2028\\u0007\\\\u000a");
        assertThat(UntrustedText.of("20261124T120000Z-0a1b2c3d")).isEqualTo("20261124T120000Z-0a1b2c3d");
        assertThat(UntrustedText.of((String) null)).isEqualTo("null");
    }

    @Test
    void longTextIsCutSayingHowMuchWas() {
        assertThat(UntrustedText.of("x".repeat(250)))
                .isEqualTo("x".repeat(UntrustedText.MAX_CHARS) + "... (50 more characters)");
        assertThat(UntrustedText.of("y".repeat(10_000_000).getBytes(StandardCharsets.UTF_8)))
                .startsWith("y".repeat(UntrustedText.MAX_CHARS) + "... (")
                .hasSizeLessThan(UntrustedText.MAX_CHARS + 60);
    }
}
