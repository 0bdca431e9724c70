from lpsync.cli import main

main()
