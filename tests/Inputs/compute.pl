# The Perl twin of compute.py.
$| = 1;
my $n = 0;
for my $i (0 .. 39) {
    for my $k (0 .. 19999) { $n = ($n * 31 + $i * $k) % 1000000007; }
    print "$i $n\n";
    select(undef, undef, undef, 0.05);
}
print "done $n\n";
