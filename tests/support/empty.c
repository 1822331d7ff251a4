/* Keeps the test-support library non-empty before any helper exists. */
typedef int h2w_test_support_translation_unit_is_not_empty;
