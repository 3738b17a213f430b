package io.tributary.trainer.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PostgresTableTest {

    @Test
    void shouldParseTheDataUrlOfAWorker() {
        PostgresTable t = PostgresTable.parse("jdbc:postgresql://127.0.0.1:5433/silo?table=lab.digits&user=w1&password=p%26q");
        assertThat(t.host()).isEqualTo("127.0.0.1");
        assertThat(t.port()).isEqualTo(5433);
        assertThat(t.database()).isEqualTo("silo");
        assertThat(t.qualifiedName()).isEqualTo("lab.digits");
        assertThat(t.user()).isEqualTo("w1");
        assertThat(t.password()).isEqualTo("p&q");
        assertThat(t.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:5433/silo");
        assertThat(t.toString()).doesNotContain("p&q");

        PostgresTable d = PostgresTable.parse("jdbc:postgresql://db/postgres?table=digits");
        assertThat(d.port()).isEqualTo(5432);
        assertThat(d.qualifiedName()).isEqualTo("public.digits");
        assertThat(d.user()).isEqualTo("postgres");
    }

    @Test
    void shouldRefuseUrlsWithoutTableOrDatabaseOrWithAnOddTableName() {
        assertThatThrownBy(() -> PostgresTable.parse("jdbc:postgresql://h:1/db")).hasMessageContaining("table");
        assertThatThrownBy(() -> PostgresTable.parse("jdbc:postgresql://h:1/?table=t")).hasMessageContaining("database");
        assertThatThrownBy(() -> PostgresTable.parse("jdbc:mysql://h:1/db?table=t")).hasMessageContaining("jdbc:postgresql");
        assertThatThrownBy(() -> PostgresTable.parse("jdbc:postgresql://h:1/db?table=t;drop"))
                .hasMessageContaining("letters");
    }
}
