package ecgdetector.app.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PatientKeysTest {

    @Test
    void recordsGoToThePatientsRoundRobin() {
        PatientKeys keys = PatientKeys.of(3);
        List<String> assigned = new ArrayList<>();
        for (long i = 0; i < 7; i++) {
            assigned.add(keys.keyFor(i));
        }

        assertThat(assigned)
                .containsExactly(
                        "patient-0001",
                        "patient-0002",
                        "patient-0003",
                        "patient-0001",
                        "patient-0002",
                        "patient-0003",
                        "patient-0001");
    }

    @Test
    void onePatientGetsEveryRecord() {
        PatientKeys keys = PatientKeys.of(1);

        assertThat(keys.keyFor(0)).isEqualTo("patient-0001");
        assertThat(keys.keyFor(12_345)).isEqualTo("patient-0001");
        assertThat(keys.describe()).isEqualTo("patient-0001");
    }

    @Test
    void keysWidenPastTenThousandPatientsRatherThanRepeat() {
        PatientKeys keys = PatientKeys.of(12_000);

        assertThat(keys.keyFor(9_998)).isEqualTo("patient-9999");
        assertThat(keys.keyFor(9_999)).isEqualTo("patient-10000");
        assertThat(keys.keyFor(12_000)).isEqualTo("patient-0001");
        assertThat(keys.describe()).isEqualTo("patient-0001..patient-12000");
    }

    @Test
    void recordIndicesBeyondIntStillCycle() {
        PatientKeys keys = PatientKeys.of(7);

        assertThat(keys.keyFor(Integer.MAX_VALUE + 1L))
                .isEqualTo(PatientKeys.key((int) ((Integer.MAX_VALUE + 1L) % 7)));
    }

    @Test
    void withoutPatientsRecordsHaveNoKey() {
        assertThat(PatientKeys.none().keyFor(3)).isNull();
        assertThat(PatientKeys.of(0).keyFor(3)).isNull();
        assertThat(PatientKeys.none().describe()).isEqualTo("no keys");
    }

    @Test
    void refusesANegativeCount() {
        assertThatThrownBy(() -> PatientKeys.of(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("patients must be >= 0");
    }
}
