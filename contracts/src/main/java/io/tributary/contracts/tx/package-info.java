/**
 * The transaction writer: the one path for every on-chain write of Tributary (chain-ingest and
 * flink-jobs). One {@link io.tributary.contracts.tx.TransactionWriter} per (chain, key) owns the
 * nonces of its key, prices EIP-1559 fees under a cap, records every signed transaction under a
 * caller-given idempotency key before broadcasting it, and after a crash re-broadcasts what it
 * recorded instead of signing anew, so one key never has two effects on chain.
 */
package io.tributary.contracts.tx;
