from tap_zohodesk.tap import main

main()
