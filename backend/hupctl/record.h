/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Typed query output: the record type a query program declares with
 * HUP_QUERY_RECORD (sdk/include/hyperupcall.h), read from the BTF of the
 * program's object, and an answer printed record by record.
 */
#ifndef HUPCTL_RECORD_H
#define HUPCTL_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct btf;

#define RECORD_VAR_PREFIX "__hup_record_"
#define RECORD_MAX_SIZE 4096 /* a query's whole answer is at most this */

struct record {
	struct btf *btf;
	uint32_t type_id;
	uint32_t size;
	char prog[64]; /* the program it describes */
};

/*
 * Find the record of program prog (NULL: the object's only one) in the BTF
 * of ELF object path.  Returns 0, or -errno with a message in err:
 * -ENOENT no such record, -EINVAL no BTF / a record of no size or over
 * RECORD_MAX_SIZE, -ENOTUNIQ several records and no prog named.
 */
int record__open(struct record *r, const char *path, const char *prog,
		 char *err, size_t errlen);
void record__close(struct record *r);

/*
 * Print len bytes of answer as records: text, one line per record
 * ("field=value ..."), or a JSON array of objects.  Returns the bytes
 * left over after the last whole record (0 when len is a multiple).
 */
size_t record__print(FILE *out, const struct record *r, const uint8_t *buf,
		     size_t len, bool json);

#endif
