package io.stampede.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.stampede.chaos.experiment.SpecCodec;
import io.stampede.reports.CriteriaTable;
import io.stampede.reports.RunType;
import org.junit.jupiter.api.Test;

/** Every experiment type the API accepts is a run type the verdict knows, with criteria to judge it. */
class ExperimentTypesTest {
    @Test
    void everyTypeHasARunTypeAndCriteria() {
        for (String type : SpecCodec.TYPES) {
            RunType rt = RunType.fromJson(type).orElse(null);
            assertThat(rt).as("RunType for %s", type).isNotNull();
            assertThat(CriteriaTable.criteria(rt)).as("criteria of %s", type).isNotEmpty();
        }
    }

    @Test
    void aMessageFaultsExperimentHasALiveVerdictInItsAnswer() {
        try (ApiFixture fx = ApiFixture.start(1.0)) {
            String id = fx.client.postJson("/experiments",
                    "{\"type\":\"message_faults\",\"subject\":\"decisions.>\",\"drop_rate\":0.1,\"duration_s\":60}")
                    .json().getString("experiment_id");
            ApiClient.Response r = fx.client.get("/experiments/" + id);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.json().getJsonObject("verdict").getString("status")).isEqualTo("pending");
        }
    }
}
