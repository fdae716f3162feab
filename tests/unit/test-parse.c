/* Unit tests for the value parsers of common/parse.c. */
#include "test.h"

#include "parse.h"

static void sizes(void **state)
{
	uint64_t v;

	assert_int_equal(parse_size("2G", 0, UINT64_MAX, &v), 0);
	assert_int_equal(v, 2ULL << 30);
	assert_int_equal(parse_size("512M", 0, UINT64_MAX, &v), 0);
	assert_int_equal(v, 512ULL << 20);
	assert_int_equal(parse_size("4GiB", 0, UINT64_MAX, &v), 0);
	assert_int_equal(v, 4ULL << 30);
	assert_int_equal(parse_size("1k", 0, UINT64_MAX, &v), 0);
	assert_int_equal(v, 1024);
	assert_int_equal(parse_size("100", 0, UINT64_MAX, &v), 0);
	assert_int_equal(v, 100);
	/* refused: signs, spaces, fractions, unknown units, overflow, bounds */
	assert_int_equal(parse_size("-1G", 0, UINT64_MAX, &v), -1);
	assert_int_equal(parse_size(" 1G", 0, UINT64_MAX, &v), -1);
	assert_int_equal(parse_size("1 G", 0, UINT64_MAX, &v), -1);
	assert_int_equal(parse_size("1.5G", 0, UINT64_MAX, &v), -1);
	assert_int_equal(parse_size("1X", 0, UINT64_MAX, &v), -1);
	assert_int_equal(parse_size("", 0, UINT64_MAX, &v), -1);
	assert_int_equal(parse_size("99999999999T", 0, UINT64_MAX, &v), -1);
	assert_int_equal(parse_size("18446744073709551616", 0, UINT64_MAX, &v), -1);
	assert_int_equal(parse_size("1M", 2 << 20, UINT64_MAX, &v), -1);
	assert_int_equal(parse_size("3M", 0, 2 << 20, &v), -1);
}

static void durations(void **state)
{
	uint64_t v;

	assert_int_equal(parse_duration("90", 0, UINT64_MAX, &v), 0);
	assert_int_equal(v, 90);
	assert_int_equal(parse_duration("90s", 0, UINT64_MAX, &v), 0);
	assert_int_equal(v, 90);
	assert_int_equal(parse_duration("15m", 0, UINT64_MAX, &v), 0);
	assert_int_equal(v, 900);
	assert_int_equal(parse_duration("2h", 0, UINT64_MAX, &v), 0);
	assert_int_equal(v, 7200);
	assert_int_equal(parse_duration("2d", 0, UINT64_MAX, &v), -1);
	assert_int_equal(parse_duration("m", 0, UINT64_MAX, &v), -1);
}

static void integers_and_bools(void **state)
{
	uint64_t v;
	bool b;

	assert_int_equal(parse_u64("18446744073709551615", 0, UINT64_MAX, &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(parse_u64("0x10", 0, UINT64_MAX, &v), -1);
	assert_int_equal(parse_u64("10k", 0, UINT64_MAX, &v), -1);
	assert_int_equal(parse_bool("yes", &b), 0);
	assert_true(b);
	assert_int_equal(parse_bool("Off", &b), 0);
	assert_false(b);
	assert_int_equal(parse_bool("maybe", &b), -1);
}

static void size_format(void **state)
{
	char buf[32];

	format_size(4ULL << 30, buf, sizeof(buf));
	assert_string_equal(buf, "4G");
	format_size(1536ULL << 20, buf, sizeof(buf));
	assert_string_equal(buf, "1536M");
	format_size(1000, buf, sizeof(buf));
	assert_string_equal(buf, "1000");
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sizes),
		cmocka_unit_test(durations),
		cmocka_unit_test(integers_and_bools),
		cmocka_unit_test(size_format),
	};
	/* clang-format on */

	return tap_run("parse", tests);
}
