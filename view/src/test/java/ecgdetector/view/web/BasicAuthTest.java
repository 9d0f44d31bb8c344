package ecgdetector.view.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BasicAuthTest {

    private static String header(String credentials) {
        return "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void onlyTheUsersOfTheFileLogIn(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("users");
        Files.writeString(file, "# staff\n\nnurse:s3cret:with:colons\ndoctor:other\n");
        BasicAuth auth = BasicAuth.fromFile(file);
        assertThat(auth.allows(header("nurse:s3cret:with:colons"))).isTrue();
        assertThat(auth.allows(header("doctor:other"))).isTrue();
        assertThat(auth.allows(header("nurse:s3cret"))).isFalse();
        assertThat(auth.allows(header("doctor:other "))).isFalse();
        assertThat(auth.allows("Bearer x")).isFalse();
        assertThat(auth.allows("Basic %%%")).isFalse();
        assertThat(auth.allows(null)).isFalse();
    }

    @Test
    void aFileWithoutUsersOrWithABadLineIsRefused(@TempDir Path tmp) throws Exception {
        Path empty = Files.writeString(tmp.resolve("empty"), "# nobody\n");
        assertThatThrownBy(() -> BasicAuth.fromFile(empty)).hasMessageContaining("names no user");
        Path bad = Files.writeString(tmp.resolve("bad"), "nurse\n");
        assertThatThrownBy(() -> BasicAuth.fromFile(bad)).hasMessageContaining("user:password");
    }
}
