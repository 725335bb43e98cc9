from shanzhi.cli import main

main()
