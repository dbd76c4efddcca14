"""What unmasked personal data looks like, for the tests that scan outputs for it."""

import re

# A citizen ID number's shape (18 or 15 digits around a real-looking birth date) or a mobile number, not
# inside a longer run of digits or letters nor after a decimal point (scores are long fractions). Credit
# codes and record numbers are not personal data and do not have this shape.
_DATE = r"(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])"
UNMASKED_PERSONAL_NUMBER = re.compile(
    rf"(?<![\dA-Za-z.])(\d{{6}}(18|19|20)\d{{2}}{_DATE}\d{{3}}[\dXx]|\d{{8}}{_DATE}\d{{3}}|1[3-9]\d{{9}})(?![\dA-Za-z])"
)
