/*
 * porchlight/clip_meta.h: what the hub says about a clip, sealed inside it.
 *
 * The final record of every clip is a META record holding this structure;
 * the hub may also send META records mid-clip (a thumbnail as soon as it has
 * one). Encoded as a list of items, each `type u8 | reserved u8 = 0 |
 * length u32 | value`, so later versions can add item types that older
 * readers skip (docs/FORMAT.md, "Clip metadata").
 */
#ifndef PORCHLIGHT_CLIP_META_H
#define PORCHLIGHT_CLIP_META_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PORCH_META_MAX_LABELS 4096u
#define PORCH_META_MAX_REASON 1024u
#define PORCH_META_MAX_THUMBNAIL (4u << 20)
/* Item type of the clip reference (a notice names its event clip). */
#define PORCH_META_CLIP_REF 5u
#define PORCH_META_CLIP_REF_BYTES 16u

typedef enum porch_label_class {
    PORCH_CLASS_MOTION = 1,   /* a moving region nobody has classified */
    PORCH_CLASS_PERSON = 2,
    PORCH_CLASS_VEHICLE = 3,
    PORCH_CLASS_ANIMAL = 4,
    PORCH_CLASS_FACE = 5
} porch_label_class;

/* One detection at one moment. Boxes are in 1/65535ths of the frame. */
typedef struct porch_label {
    uint32_t t_ms;            /* offset from the clip's start */
    uint8_t cls;              /* porch_label_class */
    uint16_t score;           /* confidence in 1/65535ths */
    uint16_t x, y, w, h;
    uint32_t track_id;        /* 0: untracked */
} porch_label;

typedef struct porch_clip_meta {
    uint64_t end_us;                  /* Unix time, microseconds; 0 if unknown */
    char reason[PORCH_META_MAX_REASON + 1]; /* why the event fired, UTF-8, NUL-terminated */
    size_t n_labels;
    porch_label *labels;              /* n_labels entries */
    const uint8_t *thumbnail;         /* JPEG, or NULL */
    size_t thumbnail_len;
    int has_clip_ref;                 /* 1: clip_ref names another clip (notices) */
    uint8_t clip_ref[PORCH_META_CLIP_REF_BYTES];
} porch_clip_meta;

/* Encodes. Ownership: *out malloc()ed, released by the caller with free(). */
int porch_meta_encode(const porch_clip_meta *meta, uint8_t **out, size_t *out_len);

/*
 * Decodes. Unknown item types are skipped; a known item with a bad length,
 * a repeated singleton item, or more than the caps is an error.
 * Ownership: *out is one malloc()ed block (labels and thumbnail inside it),
 * released by the caller with porch_meta_free().
 */
int porch_meta_decode(porch_clip_meta **out, const uint8_t *buf, size_t len);
void porch_meta_free(porch_clip_meta *meta);

const char *porch_class_name(uint8_t cls);

#ifdef __cplusplus
}
#endif

#endif
