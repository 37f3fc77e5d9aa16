/*
 * log_monitor.c: the client's memory of one household's log.
 *
 * State machine (porch_log_monitor_update is the only transition):
 *
 *   EMPTY --first signed checkpoint (trust on first use)--> HEAD(n, r)
 *   HEAD(n, r) --signed (n', r'), n' > n, PROOF(n, n') verifies--> HEAD(n', r')
 *   HEAD(n, r) --signed (n, r), newer timestamp--> HEAD(n, r) (timestamp moves)
 *   anything else: refused, state unchanged.
 *
 * Invariant: every head the monitor has held is a prefix of the current one.
 * So a server that rewrites a past entry, truncates the log, or shows this
 * client a fork cannot move the monitor forward without a proof that does
 * not exist; an entry whose inclusion this client checked stays in every
 * later head it accepts.
 */
#include <string.h>

#include <sodium.h>

#include "log/log_internal.h"

void porch_log_monitor_init(porch_log_monitor *m, const uint8_t log_id[PORCH_LOG_ID_BYTES],
                            const uint8_t server_pk[PORCH_SIGN_PK_BYTES])
{
    if (!m)
        return;
    memset(m, 0, sizeof *m);
    if (log_id)
        memcpy(m->log_id, log_id, sizeof m->log_id);
    if (server_pk)
        memcpy(m->server_pk, server_pk, sizeof m->server_pk);
}

/* Signed by the pinned key and for this log. */
static int checkpoint_ours(const porch_log_monitor *m, const porch_log_checkpoint *cp)
{
    int ret = porch_log_checkpoint_verify(cp, m->server_pk);

    if (ret != PORCH_OK)
        return ret;
    return memcmp(cp->log_id, m->log_id, sizeof m->log_id) == 0 ? PORCH_OK
                                                                : PORCH_ERR_LOG_WRONG_LOG;
}

/* Does cp extend the head held? Assumes both are signed and ours. */
static int extends_head(const porch_log_checkpoint *head, const porch_log_checkpoint *cp,
                        const porch_log_consistency *proof)
{
    int same_root = sodium_memcmp(head->root, cp->root, PORCH_LOG_HASH_BYTES) == 0;

    if (cp->tree_size < head->tree_size)
        return PORCH_ERR_LOG_ROLLBACK;
    if (cp->tree_size == head->tree_size)
        return same_root ? PORCH_OK : PORCH_ERR_LOG_FORK;
    if (head->tree_size == 0)
        return PORCH_OK;   /* the empty tree is a prefix of every tree */
    if (!proof || proof->size1 != head->tree_size || proof->size2 != cp->tree_size)
        return PORCH_ERR_LOG_PROOF;
    return porch_log_verify_consistency(proof, head->root, cp->root);
}

int porch_log_monitor_update(porch_log_monitor *m, const porch_log_checkpoint *cp,
                             const porch_log_consistency *proof)
{
    int ret;

    if (!m || !cp)
        return PORCH_ERR_INVALID_ARG;
    if ((ret = checkpoint_ours(m, cp)) != PORCH_OK)
        return ret;
    if (m->have_head && (ret = extends_head(&m->head, cp, proof)) != PORCH_OK)
        return ret;
    /* Same head re-signed earlier than the one held: keep the newer one. */
    if (m->have_head && cp->tree_size == m->head.tree_size &&
        cp->timestamp_us < m->head.timestamp_us)
        return PORCH_OK;
    m->head = *cp;
    m->have_head = 1;
    return PORCH_OK;
}

/* Decodes an entry and checks it belongs to log_id. */
static int entry_of_log(const uint8_t *entry, size_t len, const uint8_t log_id[PORCH_LOG_ID_BYTES])
{
    porch_log_entry e;
    int ret = porch_log_entry_decode(&e, entry, len);

    if (ret != PORCH_OK)
        return ret;
    return memcmp(e.household, log_id, PORCH_LOG_ID_BYTES) == 0 ? PORCH_OK
                                                                : PORCH_ERR_LOG_WRONG_LOG;
}

static int entry_in_root(const uint8_t *entry, size_t len, const porch_log_inclusion *proof,
                         const uint8_t root[PORCH_LOG_HASH_BYTES])
{
    uint8_t leaf[PORCH_LOG_HASH_BYTES];

    porch_log_leaf_hash(leaf, entry, len);
    return porch_log_verify_inclusion(leaf, proof, root);
}

int porch_log_verify_entry(const porch_log_checkpoint *cp,
                           const uint8_t server_pk[PORCH_SIGN_PK_BYTES], const uint8_t *entry,
                           size_t entry_len, const porch_log_inclusion *proof)
{
    int ret;

    if (!cp || !server_pk || !entry || !proof)
        return PORCH_ERR_INVALID_ARG;
    if ((ret = porch_log_checkpoint_verify(cp, server_pk)) != PORCH_OK ||
        (ret = entry_of_log(entry, entry_len, cp->log_id)) != PORCH_OK)
        return ret;
    if (proof->tree_size != cp->tree_size)
        return PORCH_ERR_LOG_STALE;
    return entry_in_root(entry, entry_len, proof, cp->root);
}

int porch_log_monitor_check_entry(const porch_log_monitor *m, const uint8_t *entry,
                                  size_t entry_len, const porch_log_inclusion *proof)
{
    int ret;

    if (!m || !entry || !proof)
        return PORCH_ERR_INVALID_ARG;
    if (!m->have_head || proof->tree_size != m->head.tree_size)
        return PORCH_ERR_LOG_STALE;
    if ((ret = entry_of_log(entry, entry_len, m->log_id)) != PORCH_OK)
        return ret;
    return entry_in_root(entry, entry_len, proof, m->head.root);
}
