package plotfile

// CountMarks exposes countMarks to the package plotfile_test tests.
var CountMarks = countMarks
